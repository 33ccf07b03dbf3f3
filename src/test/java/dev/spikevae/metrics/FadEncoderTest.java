package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.FileFormatException;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npz;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped FAD encoders and statistics: the Fashion-MNIST encoder against PyTorch (tools/make_fad_fixture.py
 * wrote the fixture from the published weights, BatchNorm with batch statistics), and the statistics files against
 * the traces of their covariances.
 */
class FadEncoderTest {

    static Backend cpu() {
        return Backends.cpu();
    }

    @Test
    void fashionEncoderMatchesPytorchWithBatchStatistics() throws Exception {
        Map<String, HostArray> fx = Npz.read(Path.of(getClass().getResource("fashion_ae_features.npz").toURI()));
        HostArray images = fx.get("images");
        HostArray expected = fx.get("features");
        Backend b = cpu();
        FadEncoder enc = FadEncoder.loadResource(b, Fad.RESOURCES + "fashion_64.safetensors");
        assertEquals(32, enc.imageSize());
        assertEquals(64, enc.featureSize());
        float[] actual;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = b.fromHost(images.data(), images.intShape());
            actual = enc.features(x);
        }
        assertEquals(expected.numel(), actual.length);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected.data()[i]));
        }
        assertTrue(worst <= 1e-4, "largest difference from PyTorch " + worst);
        // The batch matters (batch statistics): half the batch gives other features for the same images.
        try (MemoryScope scope = MemoryScope.open()) {
            int half = images.intShape()[0] / 2;
            float[] firstHalf = java.util.Arrays.copyOf(images.data(), half * 32 * 32);
            float[] alone = enc.features(b.fromHost(firstHalf, half, 1, 32, 32));
            double diff = 0;
            for (int i = 0; i < alone.length; i++) {
                diff = Math.max(diff, Math.abs(alone[i] - actual[i]));
            }
            assertTrue(diff > 1e-2, "features did not depend on the batch: " + diff);
        }
        enc.release();
    }

    @ParameterizedTest
    @CsvSource({"mnist_test_64, 64, 500.109", "fashion_test_64, 64, 305.217", "cifar10_test_128, 128, 583.522",
            "celeba_test_128, 128, 1273.880", "mnist_test_128, 128, 712.158"})
    void shippedStatisticsHaveThePublishedTraces(String name, int d, double trace) throws Exception {
        GaussianStats s = GaussianStats.readResource(Fad.RESOURCES + name + ".npz");
        assertEquals(d, s.dimension());
        assertEquals(trace, s.trace(), 5e-4);
    }

    @Test
    void statisticsWithoutSigmaAreRejectedByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.npz");
        Npz.write(f, Map.of("mu", HostArray.of(new float[] {1, 2}, 2)));
        FileFormatException e = assertThrows(FileFormatException.class, () -> GaussianStats.read(f));
        assertTrue(e.getMessage().contains("bad.npz") && e.getMessage().contains("'mu' and 'sigma'"), e.getMessage());
    }

    @Test
    void statisticsWithMismatchedShapesAreRejected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("shapes.npz");
        Npz.write(f, Map.of("mu", HostArray.of(new float[] {1, 2}, 2), "sigma", HostArray.of(new float[9], 3, 3)));
        FileFormatException e = assertThrows(FileFormatException.class, () -> GaussianStats.read(f));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3, 3]"), e.getMessage());
    }

    @Test
    void missingUserWeightsNameTheFileAndTheTool(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Fad.setup(cpu(), "cifar10", null, null));
        assertTrue(e.getMessage().contains("cifar10_128") && e.getMessage().contains("tools/convert_fad_autoencoder.py"),
                e.getMessage());
        Path absent = dir.resolve("celeba_128.safetensors");
        NoSuchFileException e2 = assertThrows(NoSuchFileException.class,
                () -> Fad.setup(cpu(), "celeba", absent, null));
        assertTrue(e2.getMessage().contains(absent.toString()) && e2.getMessage().contains("convert_fad_autoencoder"),
                e2.getMessage());
    }

    @Test
    void imagesOutOfRangeOrShapeSayWhatIsExpected() throws Exception {
        try (Fad.Setup s = Fad.setup(cpu(), "fashion-mnist", null, null)) {
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> Fad.ofImages(new float[] {0, 255, 3, 4}, new long[] {4, 1}, s, "x.npy"));
            assertTrue(range.getMessage().contains("[N, 1, 32, 32]"), range.getMessage());
            float[] big = new float[2 * 32 * 32];
            big[5] = 255;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fad.ofImages(big, new long[] {2, 1, 32, 32}, s, "x.npy"));
            assertTrue(e.getMessage().contains("expected [-1, 1]") && e.getMessage().contains("127.5"), e.getMessage());
        }
    }

    @Test
    void convertedWeightsLoadFromAFile(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("fashion_64.safetensors");
        try (var in = getClass().getResourceAsStream(Fad.RESOURCES + "fashion_64.safetensors")) {
            Files.copy(in, copy);
        }
        FadEncoder enc = FadEncoder.load(cpu(), copy);
        assertEquals(1, enc.inChannels());
        // convolutions 1*32*9+32, 32*64*9+64, 64*128*9+128, 128*256*9+256; BatchNorm 2*(32+64+128+256); Linear
        // 1024*64+64
        assertEquals(320 + 18496 + 73856 + 295168 + 960 + 65600, enc.parameterCount());
        enc.release();
    }
}
