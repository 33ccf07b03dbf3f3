package dev.spikevae.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without jdk.incubator.vector the engine still runs, on scalar kernels, and says so once. */
class ScalarFallbackTest {
    @Test
    void runsWithoutTheVectorModuleAndSaysSoOnce() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // The child keeps this JVM's temporary folder, where native libraries may be unpacked.
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), "dev.spikevae.cli.Main", "bench", "--quick"));
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertTrue(out.contains("scalar kernels"), out);
        long notices = err.lines().filter(l -> l.contains("Vector API unavailable")).count();
        assertEquals(1, notices, err);
        assertTrue(out.contains("sgemm n=64"), out);
    }
}
