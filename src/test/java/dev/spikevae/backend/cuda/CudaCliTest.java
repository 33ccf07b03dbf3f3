package dev.spikevae.backend.cuda;

import dev.spikevae.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What doctor and bench say about CUDA on a machine where the probe finds no usable GPU. */
class CudaCliTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
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
    void doctorExplainsWhyCudaIsUnavailableAndWhatAutoDoes() {
        CudaCapabilities c = CudaProbe.capabilities();
        Assumptions.assumeFalse(c.available(), "a GPU is available here");
        Run r = run("doctor");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cuda  UNAVAILABLE: " + c.reason()), r.out());
        for (String detail : new String[] {"driver   ", "kernels  ", "cuBLAS   ", "cuDNN    "}) {
            assertTrue(r.out().contains("          " + detail), "missing " + detail + " in\n" + r.out());
        }
        assertTrue(r.out().contains("--device auto selects: cpu"), r.out());
        assertTrue(r.out().contains("device auto: using cpu; cuda unavailable: " + c.reason()), r.out());
    }

    @Test
    void benchOnCudaFailsWithTheProbesReason() {
        CudaCapabilities c = CudaProbe.capabilities();
        Assumptions.assumeFalse(c.available(), "a GPU is available here");
        Run r = run("bench", "--device", "cuda", "--no-vendor-libs", "--quick");
        assertEquals(1, r.code());
        assertEquals("spikevae bench: error: device cuda is unavailable: " + c.reason(), r.err().strip());
    }
}
