package dev.spikevae.data;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CelebA, aligned and cropped version, as the reference preprocesses it: {@code CenterCrop(148)} of the
 * 178x218 JPEG (offsets rounded as torchvision does: 15 from the left, 35 from the top), then
 * {@code Resize(64, 64)} — a Pillow bilinear <em>downscale</em>, i.e. the antialiasing triangle filter of
 * {@link Resize} — then [-1, 1]. The training flip is the loader's: mirroring the 64x64 result equals the
 * reference's flip before the crop, since the crop is centred and the filter symmetric (the tests check it
 * against Pillow). Images are decoded lazily on every
 * read with {@code javax.imageio}. Its JPEG decoder is not Pillow's (libjpeg-turbo), though both use the
 * same integer IDCT and smooth chroma upsampling; on a smooth and on a noisy test picture the whole
 * pipeline matched Pillow on every pixel (JDK 17). Another JDK's decoder could round a few pixels apart.
 * Images have no label here: {@link #label} is -1.
 */
final class CelebaDataset implements ImageDataset {
    static final String FOLDER = "celeba";
    static final int CROP = 148;
    static final int SIZE = 64;
    private static final Resize RESIZE = Resize.bilinear(CROP, CROP, SIZE, SIZE);

    private final String name;
    private final String[] files;
    private final CelebaImages images;

    private CelebaDataset(String name, List<String> files, CelebaImages images) {
        this.name = name;
        this.files = files.toArray(new String[0]);
        this.images = images;
    }

    static ImageDataset open(DataRoot root, Split split) {
        if (root.root() == null) {
            throw DataRoot.missing("celeba", "celeba/" + CelebaImages.FOLDER + "/ (or celeba/" + CelebaImages.ZIP
                    + ") and celeba/" + CelebaPartition.FILE);
        }
        Path folder = root.folder(FOLDER);
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("celeba: " + folder + " not found (in " + root.describe() + ")");
        }
        Path list = folder.resolve(CelebaPartition.FILE);
        if (!Files.isRegularFile(list)) {
            throw new DatasetException("celeba: " + list + " not found");
        }
        int partition = CelebaPartition.of(split);
        List<String> files = CelebaPartition.read(list, partition);
        if (files.isEmpty()) {
            throw new DatasetException(list + ": no image of partition " + partition + " (" + split.label() + ")");
        }
        return new CelebaDataset("celeba/" + split.label(), files, CelebaImages.open(folder, files));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int height() {
        return SIZE;
    }

    @Override
    public int width() {
        return SIZE;
    }

    @Override
    public void read(int index, float[] dst, int offset, boolean flip) {
        IndexCheck.check(name, index, files.length);
        String file = files[index];
        BufferedImage image = ImageDecoding.decode(images.read(file), images.describe(file));
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < CROP || h < CROP) {
            throw new DatasetException(images.describe(file) + ": " + w + "x" + h + " is smaller than the " + CROP
                    + "x" + CROP + " centre crop");
        }
        // torchvision: int(round((size - crop) / 2.0)), and Python rounds halves to even, as rint does.
        int left = (int) Math.rint((w - CROP) / 2.0);
        int top = (int) Math.rint((h - CROP) / 2.0);
        byte[] crop = new byte[3 * CROP * CROP];
        ImageDecoding.rgbPlanes(image, left, top, CROP, CROP, crop);
        byte[] resized = new byte[SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            RESIZE.apply(crop, c * CROP * CROP, resized, 0);
            PixelScale.writePlane(resized, 0, SIZE, SIZE, dst, offset + c * SIZE * SIZE, flip);
        }
    }

    @Override
    public int label(int index) {
        IndexCheck.check(name, index, files.length);
        return -1;
    }
}
