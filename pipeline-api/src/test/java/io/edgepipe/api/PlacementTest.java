package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one placement type's rules, which the planner, the testbed and the experiments share. */
class PlacementTest {
  private static final List<String> CHAIN = List.of("producer", "conv", "relu", "maxpool");

  @Test
  void readsLettersInChainOrder() {
    Placement p = Placement.parse("EESS", CHAIN);
    assertEquals(List.of(Tier.EDGE, Tier.EDGE, Tier.SERVER, Tier.SERVER), p.tiers());
    assertEquals(List.of("relu", "maxpool"), p.stagesOn(Tier.SERVER, CHAIN));
    assertEquals(2, p.count(Tier.EDGE));
  }

  @Test
  void acceptsLowerCase() {
    assertEquals("ESSS", Placement.parse("esss", CHAIN).letters());
  }

  @Test
  void wrongLengthNamesExpectedLengthAndLetters() {
    PlacementException e = assertThrows(PlacementException.class, () -> Placement.parse("EES", CHAIN));
    assertEquals("placement 'EES' has 3 letters: expected 4 letters, one per stage (producer, conv, relu, maxpool), "
        + "each E (edge) or S (server), e.g. EESS", e.getMessage());
    assertThrows(PlacementException.class, () -> Placement.parse("EESSS", CHAIN));
  }

  @Test
  void otherLettersAreRefusedWithTheirPosition() {
    PlacementException e = assertThrows(PlacementException.class, () -> Placement.parse("EXSS", CHAIN));
    assertTrue(e.getMessage().startsWith("placement 'EXSS' has 'X' at position 2: expected 4 letters"), e.getMessage());
    assertTrue(e.getMessage().contains("each E (edge) or S (server)"));
  }

  @Test
  void emptyIsRefused() {
    PlacementException e = assertThrows(PlacementException.class, () -> Placement.parse(" ", CHAIN));
    assertTrue(e.getMessage().startsWith("placement is empty: expected 4 letters"), e.getMessage());
  }
}
