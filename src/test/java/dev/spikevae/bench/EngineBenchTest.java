package dev.spikevae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.ConvGeometry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The layer model's byte count: each pass streams the layer's input and output activations once, f32. */
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
}
