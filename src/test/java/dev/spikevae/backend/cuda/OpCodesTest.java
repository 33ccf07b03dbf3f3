package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The op codes passed to the kernels are the #defines of the kernel sources, for every enum constant. */
class OpCodesTest {
    private static Map<String, Integer> defines(String file) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        Matcher m = Pattern.compile("#define (SV_\\w+) (\\d+)").matcher(Files.readString(PtxFiles.CUDA_DIR.resolve(file)));
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    @Test
    void javaCodesMatchTheKernelDefines() throws Exception {
        Map<String, Integer> ew = defines("elementwise.cu");
        for (UnaryOp op : UnaryOp.values()) {
            Integer code = ew.get("SV_UNARY_" + op.name());
            assertNotNull(code, "elementwise.cu lacks SV_UNARY_" + op.name());
            assertEquals(code, OpCodes.unary(op), op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            Integer code = ew.get("SV_BINARY_" + op.name());
            assertNotNull(code, "elementwise.cu lacks SV_BINARY_" + op.name());
            assertEquals(code, OpCodes.binary(op), op.name());
        }
        Map<String, Integer> lif = defines("lif.cu");
        for (Surrogate s : Surrogate.values()) {
            Integer code = lif.get("SV_SURROGATE_" + s.name().toUpperCase(Locale.ROOT));
            assertNotNull(code, "lif.cu lacks SV_SURROGATE_" + s.name());
            assertEquals(code, OpCodes.surrogate(s), s.name());
        }
    }
}
