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
 * An exported network in ONNX Runtime: a session over its single input, run on float batches, whose first output is
 * a matrix {@code [N, d]} (the IS classifier's probabilities, the FID network's features). Loading this class needs
 * ONNX Runtime: {@link OnnxRuntimeCheck} says what is missing first.
 */
final class OnnxGraph implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final String source;

    private OnnxGraph(OrtEnvironment env, OrtSession session, String source) throws OrtException {
        this.env = env;
        this.session = session;
        this.input = session.getInputNames().iterator().next();
        this.source = source;
    }

    static OnnxGraph open(Path file) throws IOException {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            return new OnnxGraph(env, env.createSession(file.toString(), new OrtSession.SessionOptions()),
                    file.toString());
        } catch (OrtException e) {
            throw new IOException(file + ": not a usable ONNX graph: " + e.getMessage(), e);
        }
    }

    String source() {
        return source;
    }

    /**
     * The first output for the input {@code x} of shape {@code dims}, as rows; {@code expected} says what the output
     * should be and how to export a graph that gives it, for the error when it is not a matrix.
     */
    float[][] run(float[] x, long[] dims, String expected) {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result r = session.run(Map.of(input, t))) {
            return (float[][]) r.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": running the network failed: " + e.getMessage(), e);
        } catch (ClassCastException e) {
            throw new IllegalStateException(source + ": the network does not return " + expected, e);
        }
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
