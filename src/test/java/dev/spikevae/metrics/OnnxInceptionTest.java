package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npz;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Inception Score's ONNX path on the small classifier that tools/export_inception.py exports with the same
 * wrapper as the real one (bilinear upsampling to 299×299, softmax): spikevae's preprocessing ([-1, 1] → [0, 255],
 * grey → three channels) and ONNX Runtime give PyTorch's probabilities.
 */
class OnnxInceptionTest {

    static Path resource(String name) throws Exception {
        return Path.of(OnnxInceptionTest.class.getResource(name).toURI());
    }

    @Test
    void probabilitiesEqualPytorchs() throws Exception {
        Map<String, HostArray> fx = Npz.read(resource("tiny_classifier.npz"));
        HostArray images = fx.get("images");
        HostArray expected = fx.get("probabilities");
        int[] s = images.intShape();
        try (IsNetwork net = IsNetwork.open(resource("tiny_classifier.onnx"))) {
            float[][] p = net.probabilities(images.data(), s[0], s[1], s[2], s[3]);
            int classes = expected.intShape()[1];
            double worst = 0;
            for (int i = 0; i < s[0]; i++) {
                for (int c = 0; c < classes; c++) {
                    worst = Math.max(worst, Math.abs(p[i][c] - expected.data()[i * classes + c]));
                }
            }
            assertTrue(worst <= 1e-4, "largest difference from PyTorch " + worst);
            // the score of those probabilities, three splits of two
            InceptionScore.Result r = net.scoreImages(images.data(), images.shape(), 3, 4, "fixture");
            InceptionScore.Result ref = InceptionScore.fromProbabilities(expected.data(), s[0], classes, 3);
            assertEquals(ref.mean(), r.mean(), 1e-4 * ref.mean());
        }
    }

    @Test
    void missingGraphOrRuntimeSaysWhatToDo(@TempDir Path tmp) {
        Path absent = tmp.resolve("inception.onnx");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IsNetwork.open(absent));
        assertTrue(e.getMessage().contains(absent.toString()) && e.getMessage().contains("tools/export_inception.py is"),
                e.getMessage());
        IllegalStateException r = assertThrows(IllegalStateException.class,
                () -> OnnxRuntimeCheck.require("the Inception Score", "ai.onnxruntime.NoSuchClass"));
        assertTrue(r.getMessage().contains(OnnxRuntimeCheck.COORDINATES) && r.getMessage().contains("SPIKEVAE_CLASSPATH"),
                r.getMessage());
    }
}
