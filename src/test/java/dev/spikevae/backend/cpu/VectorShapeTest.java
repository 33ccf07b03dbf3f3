package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The CPU kernels keep vectors of one shape: every species, shuffle and mask a class of this package holds in a static
 * field is of the preferred shape (byte vectors: one byte per float lane, the widening and narrowing of u8 spikes). On
 * 512-bit machines a kernel's 256-bit vectors made JDK 17's C2 lose the class of the other kernels' vectors and box
 * them, and the ESVAE step ran 2 to 7 times slower (docs/benchmarks.md, "One vector shape"); nothing but the speed
 * showed it. The 8 x 8 transposition's 256-bit constants ({@code StagingVectors.Eight}) are checked only where 256
 * bits is the preferred shape, the only machines whose kernels call it ({@code DirectConv.transposeGradient}).
 */
class VectorShapeTest {

    @Test
    void kernelsKeepVectorsOfThePreferredShapeOnly() throws Exception {
        if (!VectorSupport.available()) {
            return;
        }
        int floatBits = VectorShape.preferredShape().vectorBitSize();
        int lanes = VectorSupport.floatLanes();
        List<String> seen = new ArrayList<>();
        for (Class<?> c : packageClasses()) {
            // the transpositions' constants of one width, which only machines of that width initialise
            if (c == StagingVectors.Eight.class && floatBits != 256 || c == StagingVectors.Sixteen.class
                    && floatBits != 512) {
                continue;
            }
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                VectorSpecies<?> species = speciesOf(f.get(null));
                if (species == null) {
                    continue;
                }
                String name = c.getSimpleName() + "." + f.getName();
                int want = species.elementType() == byte.class ? 8 * lanes : floatBits;
                assertEquals(want, species.vectorBitSize(), name + " (" + species + ") is not of the kernels' shape");
                seen.add(name);
            }
        }
        // the scan reached the kernels: the SGEMM's species, the LIF kernel's spike bytes, the staging shuffles
        assertTrue(seen.contains("SgemmVectorKernel.SPECIES") && seen.contains("LifVectorKernel.BYTES")
                && seen.contains("StagingVectors.EVEN"), "fields seen: " + seen);
    }

    private static VectorSpecies<?> speciesOf(Object value) {
        if (value instanceof VectorSpecies<?> s) {
            return s;
        }
        if (value instanceof VectorShuffle<?> s) {
            return s.vectorSpecies();
        }
        if (value instanceof VectorMask<?> m) {
            return m.vectorSpecies();
        }
        return null;
    }

    /** Every class of the package dev.spikevae.backend.cpu in the main classes' folder, nested ones included. */
    private static List<Class<?>> packageClasses() throws URISyntaxException, java.io.IOException,
            ClassNotFoundException {
        Path dir = Path.of(SgemmVectorKernel.class.getResource("SgemmVectorKernel.class").toURI()).getParent();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String file = p.getFileName().toString();
                if (file.endsWith(".class") && !file.equals("package-info.class")) {
                    String name = "dev.spikevae.backend.cpu." + file.substring(0, file.length() - ".class".length());
                    classes.add(Class.forName(name, false, VectorShapeTest.class.getClassLoader()));
                }
            }
        }
        assertTrue(classes.size() > 20, "the package's classes: " + classes.size());
        return classes;
    }
}
