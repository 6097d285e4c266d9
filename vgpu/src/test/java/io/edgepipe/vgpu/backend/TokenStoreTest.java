package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @Test
  void loadsTenantTokenLines(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "# tenants of gpu-server-1\n\nedge1: abc:def \n  edge2:xyz\n");
    TokenStore t = TokenStore.load(f);
    assertEquals(Set.of("edge1", "edge2"), t.tenants());
    assertEquals(Optional.of("edge1"), t.authenticate("edge1", "abc:def"));
    assertEquals(Optional.of("edge2"), t.authenticate("", "xyz"));
    assertEquals(Optional.of("edge2"), t.authenticate(null, "xyz"));
    assertTrue(t.authenticate("edge1", "xyz").isEmpty());
    assertTrue(t.authenticate("edge3", "xyz").isEmpty());
    assertTrue(t.authenticate("edge1", "").isEmpty());
    assertTrue(t.authenticate("edge1", null).isEmpty());
    assertFalse(t.toString().contains("xyz"));
  }

  @Test
  void badFilesAreRefusedWithTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "edge1:a\nedge1:b\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f)).getMessage().contains("line 2"));
    Files.writeString(f, "edge1\n");
    assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    Files.writeString(f, "edge1:\n");
    assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    Files.writeString(f, "# nothing\n");
    assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertThrows(IllegalArgumentException.class, () -> TokenStore.fromFlagOrEnv(null, Map.of()));
    Files.writeString(f, "e:t\n");
    assertEquals(Set.of("e"), TokenStore.fromFlagOrEnv(null, Map.of(TokenStore.ENV, f.toString())).tenants());
  }

  @Test
  void optionalPerTenantLimits() {
    TokenStore t = TokenStore.parse(java.util.List.of("edge1:abc  max_fgpu=0.5 max_vmem=8", "edge2:xyz max_vmem=2",
        "edge3:q", "edge4:r max_sessions=3", "ops:adm role=admin"), "tokens");
    assertEquals(new TokenStore.Limits(0.5, 8), t.limits("edge1"));
    assertEquals(new TokenStore.Limits(Double.NaN, 2), t.limits("edge2"));
    assertEquals(TokenStore.Limits.UNSET, t.limits("edge3"));
    assertEquals(new TokenStore.Limits(Double.NaN, 0, 3, false), t.limits("edge4"));
    // unset caps come from the backend's defaults
    assertEquals(new TokenStore.Limits(1.0, 2, 8, false), t.limits("edge2").orElse(BackendLimits.TENANT_DEFAULTS));
    assertEquals(BackendLimits.TENANT_DEFAULTS, t.limits("edge3").orElse(BackendLimits.TENANT_DEFAULTS));
    assertTrue(t.isAdmin("ops"));
    assertFalse(t.isAdmin("edge1"));
    assertEquals(Optional.of("edge1"), t.authenticate("edge1", "abc"));
    for (String bad : new String[] {"e:t max_fgpu=0", "e:t max_fgpu=1.5", "e:t max_vmem=0", "e:t max_sessions=0", "e:t secret2"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TokenStore.parse(java.util.List.of(bad), "tokens"));
      assertTrue(e.getMessage().contains("line 1"), e.getMessage());
      assertFalse(e.getMessage().contains("secret2"), "a mistyped field is never echoed: " + e.getMessage());
    }
  }
}
