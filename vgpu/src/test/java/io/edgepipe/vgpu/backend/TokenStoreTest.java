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
}
