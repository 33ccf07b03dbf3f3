package dev.spikevae.backend.cuda;

import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every packaged PTX module assembles to machine code for sm_75, 80, 86, 89 and 90 (those at or above the
 * module's target) with the ptxas of JCuda's natives (CUDA 12.0, PTX ISA 8.0), which needs no GPU and no
 * driver: what an R525+ driver's JIT will do on a real device.
 */
class PtxAssemblyTest {
    static final int[] ARCHITECTURES = {75, 80, 86, 89, 90};

    /** Assembles PTX for sm_{arch}; returns null on success, else the error log. */
    static String assemble(String ptx, int arch, List<String> infoLog) {
        JNvPTXCompiler.setExceptionsEnabled(false);
        byte[] text = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
        nvPTXCompilerHandle h = new nvPTXCompilerHandle();
        int created = JNvPTXCompiler.nvPTXCompilerCreate(h, text.length, text);
        if (created != 0) {
            return "nvPTXCompilerCreate returned " + created;
        }
        try {
            int rc = JNvPTXCompiler.nvPTXCompilerCompile(h, 2, new String[] {"--gpu-name=sm_" + arch, "-O3"});
            long[] size = new long[1];
            JNvPTXCompiler.nvPTXCompilerGetInfoLogSize(h, size);
            byte[] info = new byte[(int) size[0]];
            JNvPTXCompiler.nvPTXCompilerGetInfoLog(h, info);
            infoLog.add(new String(info, StandardCharsets.US_ASCII));
            if (rc == 0) {
                return null;
            }
            JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(h, size);
            byte[] log = new byte[(int) size[0]];
            JNvPTXCompiler.nvPTXCompilerGetErrorLog(h, log);
            return "status " + rc + ": " + new String(log, StandardCharsets.US_ASCII).trim();
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(h);
        }
    }

    @Test
    void theBundledPtxCompilerLoadsWithoutADriver() {
        int[] major = new int[1];
        int[] minor = new int[1];
        assertEquals(0, JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor));
        assertTrue(major[0] >= 12, "ptx compiler " + major[0] + "." + minor[0]);
    }

    @Test
    void everyModuleIsPackagedAndEveryKernelSourceIsAModule() throws Exception {
        assertEquals(new TreeSet<>(PtxFiles.sourceModules()), new TreeSet<>(PtxModules.ALL),
                "src/main/cuda/*.cu and PtxModules.ALL");
        for (String module : PtxModules.ALL) {
            Map<String, PtxEntry> entries = PtxEntry.parse(module, PtxModules.text(module));
            assertFalse(entries.isEmpty(), module + " has no kernels");
        }
    }

    @Test
    void everyModuleAssemblesForEveryArchitecture() {
        List<String> failures = new ArrayList<>();
        int assembled = 0;
        for (String module : PtxModules.ALL) {
            String ptx = PtxModules.text(module);
            for (int arch : ARCHITECTURES) {
                if (arch < PtxModules.minimumComputeCapability(module)) {
                    continue;
                }
                List<String> info = new ArrayList<>();
                String error = assemble(ptx, arch, info);
                if (error != null) {
                    failures.add(module + " for sm_" + arch + ": " + error);
                } else {
                    assembled++;
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(PtxModules.ALL.size() * ARCHITECTURES.length - 1, assembled, "modules x architectures assembled");
    }

    @Test
    void theTensorCoreModuleIsRefusedBelowItsTarget() {
        List<String> info = new ArrayList<>();
        String error = assemble(PtxModules.text("sgemm_tf32"), 75, info);
        assertTrue(error != null && error.contains("SM version"), "sgemm_tf32 on sm_75: " + error);
    }
}
