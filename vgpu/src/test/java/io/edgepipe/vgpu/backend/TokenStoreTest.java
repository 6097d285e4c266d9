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
        "edge3:q"), "tokens");
    assertEquals(new TokenStore.Limits(0.5, 8), t.limits("edge1"));
    assertEquals(new TokenStore.Limits(Double.POSITIVE_INFINITY, 2), t.limits("edge2"));
    assertEquals(TokenStore.Limits.NONE, t.limits("edge3"));
    assertEquals(Optional.of("edge1"), t.authenticate("edge1", "abc"));
    for (String bad : new String[] {"e:t max_fgpu=0", "e:t max_fgpu=1.5", "e:t max_vmem=0", "e:t secret2"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TokenStore.parse(java.util.List.of(bad), "tokens"));
      assertTrue(e.getMessage().contains("line 1"), e.getMessage());
      assertFalse(e.getMessage().contains("secret2"), "a mistyped field is never echoed: " + e.getMessage());
    }
  }
}
