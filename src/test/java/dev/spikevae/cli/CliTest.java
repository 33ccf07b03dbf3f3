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

    /**
     * With --rounds the nine layers are measured in turn that many times: a progress line per layer and round, and each
     * row is the round whose share of the SGEMM is the median of the rounds' shares, which the row lists.
     */
    @Test
    void benchLayersInRoundsGivesEachLayerItsMedianRound() {
        Run r = run("bench", "--quick", "--layers", "--rounds", "3");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        int progress = 0;
        int rows = 0;
        for (String line : lines) {
            if (line.contains("(round ") && line.contains(" of 3: ")) {
                progress++;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "; (\\d+) % of SGEMM .*; rounds (\\d+) / (\\d+) / (\\d+) %$").matcher(line);
            if (m.find()) {
                rows++;
                int[] rounds = {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))};
                java.util.Arrays.sort(rounds);
                assertEquals(rounds[1], Integer.parseInt(m.group(1)), "not the median round: " + line);
            }
        }
        assertEquals(27, progress, r.out());
        assertEquals(9, rows, r.out());
        assertTrue(r.out().contains("sum of medians"), r.out());
    }

    /** --rounds needs --layers and a positive count; each mistake gets a one-line error naming the option. */
    @Test
    void benchRoundsRejectsBadUse() {
        Run zero = run("bench", "--quick", "--layers", "--rounds", "0");
        assertNotEquals(0, zero.code());
        assertTrue(zero.err().contains("--rounds must be a positive integer, got 0"), zero.err());
        Run alone = run("bench", "--quick", "--rounds", "2");
        assertNotEquals(0, alone.code());
        assertTrue(alone.err().contains("--rounds applies to --layers"), alone.err());
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
