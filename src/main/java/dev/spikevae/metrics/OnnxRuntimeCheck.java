package dev.spikevae.metrics;

/**
 * Whether ONNX Runtime is on the class path. It is not shaded into spikevae's jar (it is large and only IS and FID need it);
 * the user adds its jar, so every ONNX path checks first and says how to get it. This class names no ONNX Runtime
 * type, so it loads without the library.
 */
public final class OnnxRuntimeCheck {
    /** The Maven Central coordinates this build was compiled and tested against. */
    public static final String COORDINATES = "com.microsoft.onnxruntime:onnxruntime:1.29.0";
    static final String ENTRY_CLASS = "ai.onnxruntime.OrtEnvironment";

    private OnnxRuntimeCheck() {}

    /** @throws IllegalStateException saying what to install when ONNX Runtime is missing */
    public static void require(String purpose) {
        require(purpose, ENTRY_CLASS);
    }

    static void require(String purpose, String entryClass) {
        try {
            Class.forName(entryClass, false, OnnxRuntimeCheck.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(purpose + " runs its network with ONNX Runtime, which is not on the class "
                    + "path: download the jar " + COORDINATES + " (Maven Central) and run with "
                    + "SPIKEVAE_CLASSPATH=/path/to/onnxruntime-1.29.0.jar (docs/metrics.md)");
        }
    }

    /**
     * Checks, before any class naming ONNX Runtime types is loaded, that the exported Inception Score graph exists
     * (else naming the tool that makes it) and that ONNX Runtime is on the class path.
     */
    public static void requireIsGraph(java.nio.file.Path file) throws java.nio.file.NoSuchFileException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no Inception Score network here; "
                    + "export it with: python3 tools/export_inception.py is " + file
                    + " (torchvision's ImageNet Inception-v3)");
        }
        require("the Inception Score");
    }

    /**
     * Checks, before any class naming ONNX Runtime types is loaded, that the exported FID feature network exists
     * (else naming the tool that makes it) and that ONNX Runtime is on the class path.
     */
    public static void requireFidGraph(java.nio.file.Path file) throws java.nio.file.NoSuchFileException {
        if (file == null || !java.nio.file.Files.isRegularFile(file)) {
            String name = file == null ? "inception_fid.onnx" : file.toString();
            throw new java.nio.file.NoSuchFileException(name, null, "no FID feature network here; export clean-fid's "
                    + "Inception (inception-2015-12-05.pt, downloaded by the user) once with: python3 "
                    + "tools/export_inception.py fid " + name + " --model inception-2015-12-05.pt (docs/metrics.md, FID)");
        }
        require("FID");
    }
}
