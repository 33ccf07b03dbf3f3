package dev.spikevae.cli;

import dev.spikevae.experiment.ExperimentSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device: --device, else SPIKEVAE_DEVICE, else the spec's run.device — for train and demo as for eval. */
class DevicePrecedenceTest {
    @Test
    void flagBeatsEnvironmentBeatsSpec() {
        RunOptions o = new RunOptions();
        ExperimentSpec fromSpec = SpecArgs.resolve("digits", o.all(Map.of()));
        assertEquals("auto", fromSpec.run().device(), "the built-in spec says auto");
        ExperimentSpec fromEnv = SpecArgs.resolve("digits", o.all(Map.of("SPIKEVAE_DEVICE", "cpu")));
        assertEquals("cpu", fromEnv.run().device(), "SPIKEVAE_DEVICE beats the spec");
        o.device = "cuda";
        ExperimentSpec fromFlag = SpecArgs.resolve("digits", o.all(Map.of("SPIKEVAE_DEVICE", "cpu")));
        assertEquals("cuda", fromFlag.run().device(), "--device beats SPIKEVAE_DEVICE");
        assertEquals("cuda", Checks.device("CUDA", Map.of("SPIKEVAE_DEVICE", "cpu")));
        assertEquals("cpu", Checks.device(null, Map.of("SPIKEVAE_DEVICE", " cpu ")));
        assertNull(Checks.device(null, Map.of("SPIKEVAE_DEVICE", "")));
    }

    @Test
    void aBadEnvironmentValueIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RunOptions().all(Map.of("SPIKEVAE_DEVICE", "bogus")));
        assertTrue(e.getMessage().contains("SPIKEVAE_DEVICE='bogus'") && e.getMessage().contains("auto, cpu or cuda"),
                e.getMessage());
        assertEquals(List.of(), new RunOptions().all(Map.of()));
    }
}
