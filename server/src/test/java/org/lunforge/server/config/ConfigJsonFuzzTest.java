package org.lunforge.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target: the config file reader (JsonTree, then the merge into the protobuf model) and the validator. A text
 * is read into a configuration or refused with ConfigException; a configuration that was read writes out and reads
 * back to itself.
 */
class ConfigJsonFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void read(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ConfigJson.Parsed parsed;
        try {
            parsed = ConfigJson.read("fuzz.json", text);
        } catch (ConfigException rejected) {
            return;
        }
        try {
            assertEquals(parsed.config(), ConfigJson.read("written.json", ConfigJson.write(parsed.config())).config());
        } catch (ConfigException e) {
            throw new AssertionError("a configuration that was read cannot be read back after writing", e);
        }
        try {
            ConfigValidator.validate(parsed, "fuzz.json");
        } catch (ConfigException rejected) {
            // an invalid configuration, named with its line and path
        }
    }
}
