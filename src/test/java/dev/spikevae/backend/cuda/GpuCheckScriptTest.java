package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ci/gpu-check.sh stops at once, with a clear message, where it cannot run (no driver; no bundle). */
class GpuCheckScriptTest {

    private record Run(int code, String output) {
    }

    /** Runs the script with $OUT in a folder of {@code tmp}. */
    private static Run run(Path tmp, String ldLibraryPath, String bundle) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        ProcessBuilder pb = new ProcessBuilder("bash", "ci/gpu-check.sh").redirectErrorStream(true);
        pb.environment().put("OUT", out.toString());
        pb.environment().put("LD_LIBRARY_PATH", ldLibraryPath);
        pb.environment().put("GPU_BUNDLE", bundle);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes()); // until the script closes its output
        return new Run(p.waitFor(), text);
    }

    private static boolean driverInstalled() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "ldconfig -p 2>/dev/null | grep -q 'libcuda\\.so\\.1' || ls "
                + "/usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/lib64/libcuda.so.1 /usr/local/nvidia/lib64/libcuda.so.1")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    @Test
    void withoutADriverItFailsAtOnceSayingSo(@TempDir Path tmp) throws Exception {
        Assumptions.assumeFalse(driverInstalled(), "this machine has a CUDA driver");
        Run r = run(tmp, "", "gpu-bundle/spikevae-gpu.tgz");
        assertEquals(2, r.code(), r.output());
        assertTrue(r.output().contains("no CUDA driver (libcuda.so.1 not found)"), r.output());
    }

    @Test
    void withoutTheBundleItSaysHowToBuildIt(@TempDir Path tmp) throws Exception {
        Path fake = Files.createDirectories(tmp.resolve("fake-driver"));
        Files.createFile(fake.resolve("libcuda.so.1"));
        Run r = run(tmp, fake.toString(), fake.resolve("missing.tgz").toString());
        assertEquals(3, r.code(), r.output());
        assertTrue(r.output().contains("ci/build-gpu-bundle.sh"), r.output());
        assertTrue(new File("ci/build-gpu-bundle.sh").canRead());
    }
}
