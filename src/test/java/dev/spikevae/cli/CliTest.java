package dev.spikevae.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void doctorReportsBackendsAndVectorApi() {
        Run r = run("doctor");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("vector API"), r.out());
        assertTrue(r.out().contains("cpu   available"), r.out());
        // Available or not depends on the machine (CudaCliTest checks the reason where it is not).
        assertTrue(r.out().contains("cuda  available") || r.out().contains("cuda  UNAVAILABLE"), r.out());
    }

    /** Runs every benchmark once at a tiny size: proves the bench still works (no speed is asserted). */
    @Test
    void benchQuickRunsEveryCase() {
        Run r = run("bench", "--quick", "--layers");
        assertEquals(0, r.code(), r.err());
        for (String c : new String[] {"memory copy", "sgemm n=64", "lif fwd+bwd", "conv2d", "convT2d", "E1 conv", "D5 convT", "sum of medians",
                "forward", "input grad", "weight grad", "% of SGEMM", "model: activations", "if they never overlap"}) {
            assertTrue(r.out().contains(c), "missing " + c + " in\n" + r.out());
        }
    }

    /** The two register blocks side by side at a tiny size; without the Vector API a one-line error says why. */
    @Test
    void benchRegisterBlocksComparesBothBlocksOrSaysWhyNot() {
        Run r = run("bench", "--quick", "--register-blocks");
        if (new dev.spikevae.backend.cpu.CpuBackend(1).vectorKernels()) {
            assertEquals(0, r.code(), r.err());
            for (String c : new String[] {"8 rows, ms", "6 rows, ms", "sgemm n=64", "E1 conv", "D5 convT", "sum of the nine layers"}) {
                assertTrue(r.out().contains(c), "missing " + c + " in\n" + r.out());
            }
        } else {
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("--register-blocks compares the cpu backend's Vector API SGEMM kernels"), r.err());
        }
    }

    /** The direct convolutions against the implicit GEMM at a tiny size; without the Vector API a one-line error. */
    @Test
    void benchDirectComparesBothPathsOrSaysWhyNot() {
        Run r = run("bench", "--quick", "--direct");
        if (new dev.spikevae.backend.cpu.CpuBackend(1).vectorKernels()) {
            assertEquals(0, r.code(), r.err());
            for (String c : new String[] {"GEMM, ms", "direct, ms", "E1 conv 3->32 32->16, forward",
                "D5 convT 32->3 32->32, weight grad", "sum of the nine layers"}) {
                assertTrue(r.out().contains(c), "missing " + c + " in\n" + r.out());
            }
        } else {
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("--direct compares the cpu backend's direct convolutions"), r.err());
        }
    }

    @Test
    void errorsAreOneLineWithNonZeroExit() {
        // A device no machine has: an error here and on a GPU machine alike.
        Run r = run("bench", "--quick", "--device", "tpu");
        assertNotEquals(0, r.code());
        assertTrue(r.err().startsWith("spikevae bench: error: ") && r.err().contains("tpu"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertNotEquals(0, run("no-such-command").code());
    }
}
