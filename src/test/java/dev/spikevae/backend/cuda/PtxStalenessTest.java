package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in PTX (used where nvcc is absent) must be what nvcc makes of the current kernels. When the
 * build compiled the kernels with nvcc, the packaged PTX is that fresh build; otherwise the test runs
 * the build script itself if it finds nvcc, and is skipped (visibly) without one. Comment lines, which
 * name the compiler build, are ignored. After editing a kernel: {@code src/main/cuda/build-ptx.sh --update}.
 */
class PtxStalenessTest {

    @Test
    void checkedInPtxMatchesAFreshNvccBuild(@TempDir Path out) throws Exception {
        String note = PtxModules.buildNote();
        List<String> stale = new ArrayList<>();
        if (note.startsWith("nvcc")) {
            for (String module : PtxModules.ALL) {
                compare(module, PtxModules.text(module), stale);
            }
        } else {
            Process p = new ProcessBuilder("bash", PtxFiles.CUDA_DIR.resolve("build-ptx.sh").toString(), out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes()); // until the script closes its output
            assertEquals(0, p.waitFor(), log);
            Path dir = out.resolve(PtxModules.RESOURCE_DIR);
            Assumptions.assumeTrue(Files.readString(dir.resolve("ptx-build.txt")).startsWith("nvcc"),
                    "no nvcc on this machine ($NVCC, PATH, $CUDA_HOME, /usr/local/cuda*): staleness not checked");
            for (String module : PtxModules.ALL) {
                compare(module, Files.readString(dir.resolve(module + ".ptx")), stale);
            }
        }
        assertTrue(stale.isEmpty(), "checked-in PTX is stale for " + stale
                + "; run src/main/cuda/build-ptx.sh --update and commit src/main/cuda/ptx");
    }

    private static void compare(String module, String fresh, List<String> stale) throws Exception {
        if (!PtxFiles.withoutComments(fresh).equals(PtxFiles.withoutComments(PtxFiles.checkedIn(module)))) {
            stale.add(module);
        }
    }
}
