package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ci/gpu-check.sh: it stops at once, with a clear message, where it cannot run (no driver; no bundle); elsewhere
 * every stage runs in its own JVM with its own settings and reports, whatever an earlier stage did. The stages are
 * exercised with a stand-in for java that acts out a crash (exit by signal), a timeout or a pass per stage.
 */
class GpuCheckScriptTest {
    @TempDir
    Path tmp;

    private record Run(int code, String output, Path out) {
    }

    private Run run(Map<String, String> env) throws Exception {
        Path out = tmp.resolve("out");
        ProcessBuilder pb = new ProcessBuilder("bash", "ci/gpu-check.sh").redirectErrorStream(true);
        pb.environment().put("OUT", out.toString());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().remove("GPU_CHECK_JAVA");
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes()); // until the script closes its output
        return new Run(p.waitFor(), text, out);
    }

    private static boolean driverInstalled() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "ldconfig -p 2>/dev/null | grep -q 'libcuda\\.so\\.1' || ls "
                + "/usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/lib64/libcuda.so.1 /usr/local/nvidia/lib64/libcuda.so.1")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** A directory holding an (empty) libcuda.so.1, enough for the script's driver check. */
    private Path fakeDriver() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("driver"));
        Files.createFile(d.resolve("libcuda.so.1"));
        return d;
    }

    /** A bundle with the files the stages name (their contents are never read by the stand-in java). */
    private Path fakeBundle(boolean withEmulator) throws Exception {
        Path stage = Files.createDirectories(tmp.resolve("bundle-stage"));
        Files.createFile(stage.resolve("spikevae.jar"));
        Files.createFile(stage.resolve("junit-console.jar"));
        Files.createDirectories(stage.resolve("test-classes"));
        if (withEmulator) {
            Files.createDirectories(stage.resolve("cuda-emu"));
            Files.createFile(stage.resolve("cuda-emu/libspikevae-cuda-emu.so"));
        }
        Path bundle = tmp.resolve("bundle.tgz");
        Process p = new ProcessBuilder("tar", "-C", stage.toString(), "-czf", bundle.toString(), ".").inheritIO().start();
        assertEquals(0, p.waitFor());
        return bundle;
    }

    /**
     * Stands in for java: answers -version, records each call's arguments with the stage they belong to, prints
     * what the real stage would (a PARITY line, JUnit's counts, a benchmark table row) and exits with the status
     * STUB_PLAN gives that stage ("b=134,c=124": stage b dies by SIGABRT, stage c times out).
     */
    private Path stubJava() throws Exception {
        Path java = tmp.resolve("java");
        Files.writeString(java, """
                #!/usr/bin/env bash
                if [ "${1:-}" = -version ]; then echo 'openjdk version "17.0.9" (stand-in)'; exit 0; fi
                case "$*" in
                    *" doctor"*) id=a1 ;;
                    *spikevae.parity.cases=*) id=a2 ;;
                    *EsvaeStepParityTest*) id=b ;;
                    *CudnnParityTest*) id=c ;;
                    *spikevae.cuda.profile=true*) id=f ;;
                    *" bench "*) id=d ;;
                    *GpuEmulatorDiffTest*) id=e ;;
                    *) id=unknown ;;
                esac
                echo "$id $*" >>"$STUB_CALLS"
                echo "PARITY stand-in-$id pass (gpu)"
                [ "$id" = d ] && echo "| SGEMM 4096^3 | stand-in |"
                rc=$(echo ",${STUB_PLAN:-}," | grep -o ",$id=[0-9]*," | tr -dc 0-9)
                if [ -z "$rc" ] || [ "$rc" = 1 ]; then
                    printf '[ %9d tests successful ]\\n[ %9d tests failed ]\\n[ %9d tests aborted ]\\n' 5 "${rc:-0}" 1
                fi
                exit "${rc:-0}"
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private Map<String, String> stagedEnv(String plan, boolean withEmulator) throws Exception {
        return Map.of("LD_LIBRARY_PATH", fakeDriver().toString(), "GPU_BUNDLE", fakeBundle(withEmulator).toString(),
                "GPU_CHECK_JAVA", stubJava().toString(), "STUB_CALLS", tmp.resolve("calls.txt").toString(),
                "STUB_PLAN", plan);
    }

    private List<String> calls(String stage) throws Exception {
        return Files.readAllLines(tmp.resolve("calls.txt")).stream().filter(l -> l.startsWith(stage + " ")).toList();
    }

    @Test
    void withoutADriverItFailsAtOnceSayingSo() throws Exception {
        Assumptions.assumeFalse(driverInstalled(), "this machine has a CUDA driver");
        Run r = run(Map.of("LD_LIBRARY_PATH", "", "GPU_BUNDLE", "gpu-bundle/spikevae-gpu.tgz"));
        assertEquals(2, r.code(), r.output());
        assertTrue(r.output().contains("no CUDA driver (libcuda.so.1 not found)"), r.output());
    }

    @Test
    void withoutTheBundleItSaysHowToBuildIt() throws Exception {
        Path driver = fakeDriver();
        Run r = run(Map.of("LD_LIBRARY_PATH", driver.toString(), "GPU_BUNDLE", tmp.resolve("missing.tgz").toString()));
        assertEquals(3, r.code(), r.output());
        assertTrue(r.output().contains("ci/build-gpu-bundle.sh"), r.output());
        assertTrue(new File("ci/build-gpu-bundle.sh").canRead());
    }

    @Test
    void aCrashAndATimeoutCannotEraseTheOtherStages() throws Exception {
        Run r = run(stagedEnv("b=134,c=124", true));
        assertEquals(1, r.code(), r.output());
        String o = r.output();
        String[] expected = {
            "stage a1, smoke: doctor without vendor libraries: ok",
            "stage a2, smoke: five parity cases: ok, 5 passed, 0 failed, 1 skipped",
            "stage b, own kernels: parity suite and ESVAE step: FAILED (crashed: signal 6)",
            "stage c, vendor libraries: cuBLAS and cuDNN parity: FAILED (timed out after 60 s)",
            "stage d, benchmarks: ok",
            "stage e, GPU against the emulated device: ok, 5 passed, 0 failed, 1 skipped",
            "stage f, profile of the ESVAE step: ok"};
        int at = -1;
        for (String line : expected) {
            int next = o.indexOf(line);
            assertTrue(next > at, "'" + line + "' missing or out of order in:\n" + o);
            at = next;
        }
        List<String> summary = Files.readAllLines(r.out().resolve("summary.txt"));
        assertEquals(7, summary.size(), "summary.txt: " + summary);
        assertTrue(o.contains("| parity stand-in-b | pass (gpu) |"), o);
        assertTrue(o.contains("| SGEMM 4096^3 | stand-in |"), o);
        assertTrue(o.contains("| b own kernels: parity suite and ESVAE step | FAILED (crashed: signal 6) |"), o);
    }

    @Test
    void eachStageRunsInItsOwnJvmWithItsOwnSettings() throws Exception {
        Run r = run(stagedEnv("", true));
        assertEquals(0, r.code(), r.output());
        for (String stage : List.of("a1", "a2", "b", "c", "d", "e", "f")) {
            List<String> c = calls(stage);
            assertEquals(1, c.size(), stage + ": " + c);
            assertTrue(c.get(0).contains("-XX:ErrorFile=" + r.out() + "/hs_err_%p.log"), c.get(0));
        }
        String doctor = calls("a1").get(0);
        assertTrue(doctor.contains("-Dspikevae.noVendorLibs=true") && doctor.contains("--no-vendor-libs doctor"), doctor);
        String smoke = calls("a2").get(0);
        assertTrue(smoke.contains("-Dspikevae.parity.cases=kCopyToHost,kGemm,kConvForward,kLifForward,kBatchNormStats"),
                smoke);
        String own = calls("b").get(0);
        for (String flag : List.of("-Dspikevae.cuda.sync=true", "-Dspikevae.noVendorLibs=true",
                "-Dspikevae.parity.device=gpu", "--select-class dev.spikevae.parity.CudaParityTest")) {
            assertTrue(own.contains(flag), flag + " in " + own);
        }
        String vendor = calls("c").get(0);
        assertFalse(vendor.contains("noVendorLibs"), vendor);
        assertTrue(vendor.contains("CublasParityTest") && vendor.contains("CudnnParityTest"), vendor);
        assertTrue(calls("d").get(0).endsWith("bench --device cuda"), calls("d").get(0));
        assertTrue(calls("f").get(0).contains("bench --device cuda --esvae 3,128,256"), calls("f").get(0));
        assertTrue(calls("e").get(0).contains("-Dspikevae.cudaEmu.library=" + tmp.toRealPath()), calls("e").get(0));
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("spikevae-gpu.")),
                    "the unpacked bundle is removed");
        }
    }

    @Test
    void aBundleWithoutTheEmulatorSkipsOnlyThatStage() throws Exception {
        Run r = run(stagedEnv("", false));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("stage e, GPU against the emulated device: not run (the bundle has no emulator"),
                r.output());
        assertTrue(calls("e").isEmpty());
        assertEquals(1, calls("d").size());
    }
}
