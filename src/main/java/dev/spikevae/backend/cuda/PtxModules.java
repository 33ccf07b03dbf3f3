package dev.spikevae.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The PTX modules of the CUDA backend, one per kernel family in {@code src/main/cuda}, packaged as class
 * path resources under {@code dev/spikevae/cuda/} by the build (nvcc output, or the checked-in copies).
 */
public final class PtxModules {
    /** Resource folder of the modules. */
    public static final String RESOURCE_DIR = "dev/spikevae/cuda/";

    /** Every module the backend loads; each is {@code src/main/cuda/NAME.cu}. */
    public static final List<String> ALL = List.of("memory", "elementwise", "layout", "reduce", "batchnorm", "lif",
            "random", "mmd", "adamw", "conv", "sgemm", "sgemm_tf32");

    private PtxModules() {
    }

    /** The lowest compute capability (major * 10 + minor) a module's PTX targets. */
    public static int minimumComputeCapability(String module) {
        return module.endsWith("_tf32") ? 80 : 75;
    }

    /** The PTX text of a module, read from the class path. */
    public static String text(String module) {
        String path = RESOURCE_DIR + module + ".ptx";
        try (InputStream in = PtxModules.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("CUDA module " + module + ": resource " + path
                        + " is missing from the class path (the build packages src/main/cuda as PTX)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("CUDA module " + module + ": cannot read " + path, e);
        }
    }

    /** How the packaged PTX was made ("nvcc ..." or "checked-in"), or "unknown". */
    public static String buildNote() {
        try (InputStream in = PtxModules.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + "ptx-build.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
