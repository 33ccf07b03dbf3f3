package dev.spikevae.container;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code docker run IMAGE doctor}: what the container offers, and why CUDA is unavailable where it is. */
@Tag("container")
class DoctorIT {
    @BeforeEach // per test, so that each is reported skipped with the reason
    void engine() {
        DockerEngine.require();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Accelerator.class)
    void reportsTheBackends(Accelerator accelerator) throws Exception {
        accelerator.assumeAvailable();
        try (SpikevaeContainer c = SpikevaeContainer.spikevae(accelerator, "doctor")) {
            SpikevaeContainer.Outcome out = c.run();
            String s = out.stdout();
            assertEquals(0, out.exitCode(), out.transcript());
            assertTrue(s.contains("  java       17."), "Java 17 in the container: " + s);
            assertTrue(s.contains("vector API yes"), "the launcher adds the Vector API module: " + s);
            assertTrue(s.contains("    cpu   available"), s);
            if (accelerator == Accelerator.CPU) {
                assertTrue(s.matches("(?s).*\n    cuda  UNAVAILABLE: \\S[^\n]*\n.*"), "cuda unavailable, with the reason: " + s);
                assertTrue(s.contains("--device auto selects: cpu"), s);
                assertTrue(s.matches("(?s).*\n  device auto: using cpu; cuda unavailable: \\S.*"),
                        "auto says why it fell back: " + s);
            } else {
                assertTrue(s.contains("    cuda  available"), s);
                assertTrue(s.contains("--device auto selects: cuda"), s);
            }
        }
    }
}
