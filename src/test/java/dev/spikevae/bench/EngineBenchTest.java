package dev.spikevae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.ConvGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The layer model's byte count (each pass streams the layer's input and output activations once, f32), and the
 * PyTorch peer's layer list against the bench's.
 */
class EngineBenchTest {
    @Test
    void aPassMovesTheLayersTwoActivationsOnce() {
        List<Map.Entry<String, ConvGeometry>> layers = EngineBench.esvaeLayers(512);
        // E1: 512 images of 3 x 32 x 32 in, 32 x 16 x 16 out
        assertEquals(4.0 * 512 * (3 * 32 * 32 + 32 * 16 * 16), EngineBench.passBytes(layers.get(0).getValue()));
        // D4 (transposed): 32 x 16 x 16 in, 32 x 32 x 32 out; D5: 32 x 32 x 32 in, 3 x 32 x 32 out
        assertEquals(4.0 * 512 * (32 * 16 * 16 + 32 * 32 * 32), EngineBench.passBytes(layers.get(7).getValue()));
        assertEquals(4.0 * 512 * (32 * 32 * 32 + 3 * 32 * 32), EngineBench.passBytes(layers.get(8).getValue()));
    }

    /**
     * bench/torch_conv_peer.py times the same nine layers in PyTorch and matches its rows to the bench's by name: its
     * table (name, transposed, in channels, in size, out channels, kernel, stride, padding, output padding) must give
     * the bench's names and geometries, in order.
     */
    @Test
    void thePyTorchPeerTimesTheSameLayers() throws IOException {
        String script = Files.readString(Path.of("bench", "torch_conv_peer.py"));
        Pattern row = Pattern.compile("\\(\"([^\"]+)\", (True|False), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+), "
                + "(\\d+)\\),");
        List<String> names = new ArrayList<>();
        List<ConvGeometry> geometries = new ArrayList<>();
        Matcher m = row.matcher(script);
        while (m.find()) {
            int[] v = new int[7];
            for (int i = 0; i < 7; i++) {
                v[i] = Integer.parseInt(m.group(3 + i));
            }
            names.add(m.group(1));
            geometries.add(m.group(2).equals("True")
                    ? ConvGeometry.transposed(512, v[0], v[1], v[1], v[2], v[3], v[4], v[5], v[6])
                    : ConvGeometry.conv(512, v[0], v[1], v[1], v[2], v[3], v[4], v[5]));
        }
        List<Map.Entry<String, ConvGeometry>> layers = EngineBench.esvaeLayers(512);
        assertEquals(layers.stream().map(Map.Entry::getKey).toList(), names);
        assertEquals(layers.stream().map(Map.Entry::getValue).toList(), geometries);
    }
}
