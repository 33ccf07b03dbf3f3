package dev.spikevae.metrics;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * FID's feature network, an ONNX graph exported by {@code tools/export_inception.py fid}: it takes images
 * {@code [N, 3, 299, 299]} with values in [0, 255], already resized ({@link Fid#prepare}), normalises them as
 * clean-fid does ({@code (x − 128) / 128}) and returns the pool features {@code [N, 2048]}. Loading this class needs
 * ONNX Runtime: call {@link OnnxRuntimeCheck#requireFidGraph} first, which says what is missing.
 */
public final class FidNetwork implements Fid.Features, AutoCloseable {
    private final OrtSession session;
    private final OrtEnvironment env;
    private final String input;
    private final String source;

    private FidNetwork(OrtEnvironment env, OrtSession session, String source) throws OrtException {
        this.env = env;
        this.session = session;
        this.input = session.getInputNames().iterator().next();
        this.source = source;
    }

    /** Opens an exported graph; a missing file names the tool that makes it. */
    public static FidNetwork open(Path file) throws IOException {
        OnnxRuntimeCheck.requireFidGraph(file);
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            return new FidNetwork(env, env.createSession(file.toString(), new OrtSession.SessionOptions()),
                    file.toString());
        } catch (OrtException e) {
            throw new IOException(file + ": not a usable ONNX graph: " + e.getMessage(), e);
        }
    }

    @Override
    public float[] features(float[] prepared, int n) {
        long per = 3L * Fid.SIZE * Fid.SIZE;
        if (prepared.length != n * per) {
            throw new IllegalArgumentException(source + ": " + prepared.length + " values are not " + n
                    + " images of 3×299×299");
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(prepared), new long[] {n, 3, Fid.SIZE, Fid.SIZE});
             OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][] f = (float[][]) r.get(0).getValue();
            int d = f[0].length;
            float[] out = new float[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(f[i], 0, out, i * d, d);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": running the network failed: " + e.getMessage(), e);
        } catch (ClassCastException e) {
            throw new IllegalStateException(source + ": the network does not return features [N, d]; export it with "
                    + "tools/export_inception.py fid", e);
        }
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": " + e.getMessage(), e);
        }
    }
}
