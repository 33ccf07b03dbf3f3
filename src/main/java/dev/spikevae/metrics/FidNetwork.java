package dev.spikevae.metrics;

import java.io.IOException;
import java.nio.file.Path;

/**
 * FID's feature network, an ONNX graph exported by {@code tools/export_inception.py fid}: it takes images
 * {@code [N, 3, 299, 299]} with values in [0, 255], already resized ({@link Fid#prepare}), normalises them as
 * clean-fid does ({@code (x − 128) / 128}) and returns the pool features {@code [N, 2048]}. Loading this class needs
 * ONNX Runtime: call {@link OnnxRuntimeCheck#requireFidGraph} first, which says what is missing.
 */
public final class FidNetwork implements Fid.Features, AutoCloseable {
    private final OnnxGraph graph;

    private FidNetwork(OnnxGraph graph) {
        this.graph = graph;
    }

    /** Opens an exported graph; a missing file names the tool that makes it. */
    public static FidNetwork open(Path file) throws IOException {
        OnnxRuntimeCheck.requireFidGraph(file);
        return new FidNetwork(OnnxGraph.open(file));
    }

    @Override
    public float[] features(float[] prepared, int n) {
        long per = 3L * Fid.SIZE * Fid.SIZE;
        if (prepared.length != n * per) {
            throw new IllegalArgumentException(graph.source() + ": " + prepared.length + " values are not " + n
                    + " images of 3×299×299");
        }
        float[][] f = graph.run(prepared, new long[] {n, 3, Fid.SIZE, Fid.SIZE},
                "features [N, d]; export it with tools/export_inception.py fid");
        int d = f[0].length;
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(f[i], 0, out, i * d, d);
        }
        return out;
    }

    @Override
    public String source() {
        return graph.source();
    }

    @Override
    public void close() {
        graph.close();
    }
}
