package io.edgepipe.planner.profile;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes profiles as JSON, and checks what it read so later lookups can trust it. */
final class ProfileJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private ProfileJson() {}

  static Profile read(Path file) {
    Profile profile;
    try {
      profile = MAPPER.readValue(file.toFile(), Profile.class);
    } catch (JacksonException e) {
      throw new ProfileException("profile " + file + " is not a valid profile: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ProfileException("cannot read profile " + io.edgepipe.api.FileProblem.describe(file, e), e);
    }
    ProfileValidator.check(profile, file.toString());
    return profile;
  }

  static void write(Profile profile, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, MAPPER.writeValueAsString(profile) + "\n");
    } catch (IOException e) {
      throw new ProfileException("cannot write profile " + file + ": " + e.getMessage(), e);
    }
  }

  static String toJson(Profile profile) {
    try {
      return MAPPER.writeValueAsString(profile);
    } catch (JacksonException e) {
      throw new ProfileException("cannot serialize profile: " + e.getOriginalMessage());
    }
  }
}
