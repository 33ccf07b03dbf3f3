package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuDNN binding is a mixed pair (docs/gpu.md): the newest JCudnn Java jar on Maven Central is 11.7.0, and it
 * loads the native library named after the core JCuda version, JCudnn-12.6.0 (built for cuDNN 9). The pairing holds
 * only as long as every JCudnn call the backend makes has its JNI entry in those natives. This checks, without a
 * GPU or cuDNN, that the natives resource is the one the jar will ask for and that every JCudnn method the backend's
 * classes call has its {@code Java_jcuda_jcudnn_JCudnn_...Native} symbol there.
 */
class CudnnNativePairingTest {
    private static final String NATIVES = "lib/libJCudnn-12.6.0-linux-x86_64.so";

    @Test
    void theJarAsksForTheNativesThatShip() throws Exception {
        Class<?> version = Class.forName("jcuda.JCudaVersion");
        assertEquals("12.6.0", version.getMethod("get").invoke(null), "JCudnn 11.7 loads JCudnn-<core JCuda version>");
        assertNotNull(getClass().getClassLoader().getResource(NATIVES), NATIVES + " on the class path");
    }

    @Test
    void everyJcudnnCallOfTheBackendHasItsNativeEntry() throws Exception {
        Set<String> calls = jcudnnCallsOfTheBackend();
        assertTrue(calls.size() >= 20, "JCudnn calls found: " + calls);
        assertTrue(calls.contains("cudnnGetConvolutionForwardAlgorithm_v7"), "calls: " + calls);
        byte[] natives = resource(NATIVES);
        Set<String> missing = new TreeSet<>();
        for (String call : calls) {
            if (!exportsNative(natives, call)) {
                missing.add(call);
            }
        }
        assertTrue(missing.isEmpty(), "JCudnn calls without an entry in " + NATIVES + ": " + missing);
        // the check can fail: cuDNN 9 dropped the old RNN API, and the 12.6 natives with it
        assertFalse(exportsNative(natives, "cudnnGetRNNParamsSize"));
    }

    /** JNI's short name of JCudnn's native method {@code <call>Native} ('_' escapes to "_1"). */
    private static boolean exportsNative(byte[] natives, String call) {
        String symbol = "\0Java_jcuda_jcudnn_JCudnn_" + (call + "Native").replace("_", "_1") + "\0";
        return indexOf(natives, symbol.getBytes(StandardCharsets.US_ASCII)) >= 0;
    }

    /** Names of JCudnn's native-backed methods that some class of this package refers to. */
    private static Set<String> jcudnnCallsOfTheBackend() throws IOException, URISyntaxException, ClassNotFoundException {
        Class<?> jcudnn = Class.forName("jcuda.jcudnn.JCudnn", false, CudnnNativePairingTest.class.getClassLoader());
        Set<String> natives = new HashSet<>();
        for (Method m : jcudnn.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                natives.add(m.getName());
            }
        }
        Set<String> referenced = new HashSet<>();
        Path dir = Path.of(CudnnConv.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/spikevae/backend/cuda");
        try (Stream<Path> classes = Files.list(dir)) {
            for (Path c : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                referenced.addAll(utf8Constants(Files.readAllBytes(c)));
            }
        }
        Set<String> calls = new TreeSet<>();
        for (String name : referenced) {
            if (natives.contains(name + "Native")) {
                calls.add(name);
            }
        }
        return calls;
    }

    /** The UTF-8 entries of a class file's constant pool (method names among them). */
    static Set<String> utf8Constants(byte[] classFile) throws IOException {
        Set<String> out = new HashSet<>();
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        in.skipBytes(8);  // magic, minor, major
        int count = in.readUnsignedShort();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> out.add(in.readUTF());
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++;
                }
                case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CudnnNativePairingTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
