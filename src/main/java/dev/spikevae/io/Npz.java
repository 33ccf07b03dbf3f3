package dev.spikevae.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's .npz archives ({@code np.savez}, {@code np.savez_compressed}): a zip file of {@code name.npy} entries.
 * Reference statistics (for example FID means and covariances) come in this form.
 */
public final class Npz {

    private Npz() {}

    /** Reads every array of {@code file}, keyed by entry name without {@code .npy}, in archive order. */
    public static Map<String, HostArray> read(Path file) throws IOException {
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry entry = it.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String name = entry.getName();
                String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(key, Npy.read(in, file + "!" + name));
                }
            }
        } catch (ZipException e) {
            throw new FileFormatException(file, "not a readable .npz (zip) archive: " + e.getMessage());
        } catch (FileFormatException e) {
            throw e;
        } catch (IOException e) {
            // the zip reader's own errors (an entry cut short: EOFException with no message) name no file
            throw new FileFormatException(file, "not a readable .npz (zip) archive: " + e);
        }
        return arrays;
    }

    /**
     * Reads every array of {@code file} in double precision ({@link Npy#readDoubles}), keyed by entry name without
     * {@code .npy}, in archive order.
     */
    public static Map<String, HostDoubles> readDoubles(Path file) throws IOException {
        Map<String, HostDoubles> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry entry = it.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String name = entry.getName();
                String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(key, Npy.readDoubles(in, file + "!" + name));
                }
            }
        } catch (ZipException e) {
            throw new FileFormatException(file, "not a readable .npz (zip) archive: " + e.getMessage());
        }
        return arrays;
    }

    /** Writes {@code arrays} as a compressed .npz ({@code <f4} entries named {@code key.npy}), atomically. */
    public static void write(Path file, Map<String, HostArray> arrays) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                Npy.write(zip, e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
