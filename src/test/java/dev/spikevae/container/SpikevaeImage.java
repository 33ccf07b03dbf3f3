package dev.spikevae.container;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The image under test, built once per test run from {@code docker/Dockerfile} on the base image of
 * {@code -Dspikevae.container.baseImage} (default {@code debian:bookworm-slim}: the CPU image), or an image built
 * beforehand and named by {@code -Dspikevae.container.image}. The build context is exactly the paths that the
 * repository's {@code .dockerignore} lets through, as for {@code docker build -f docker/Dockerfile .}.
 */
final class SpikevaeImage {
    static final String IMAGE_PROPERTY = "spikevae.container.image";
    static final String BASE_PROPERTY = "spikevae.container.baseImage";
    static final String DEFAULT_BASE = "debian:bookworm-slim";
    /** Kept after the run (ci/container-tests.sh reports its size); rebuilt from the layer cache next time. */
    static final String TEST_TAG = "spikevae:container-test";

    private static String name;
    private static RuntimeException failure;

    private SpikevaeImage() {
    }

    /** The image's name, building it the first time; a failed build fails every later call at once. */
    static synchronized String name() {
        if (failure != null) {
            throw failure;
        }
        if (name == null) {
            String given = System.getProperty(IMAGE_PROPERTY, "").strip();
            try {
                name = given.isEmpty() ? build() : requireLocal(given);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return name;
    }

    /** The repository root (Maven runs the tests there). */
    static Path repoRoot() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** The paths of the build context: the {@code !PATH} lines of {@code .dockerignore} (which ignores all else). */
    static List<String> contextPaths() {
        Path ignore = repoRoot().resolve(".dockerignore");
        try {
            return Files.readAllLines(ignore).stream().map(String::strip).filter(l -> l.startsWith("!"))
                    .map(l -> l.substring(1)).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(ignore + ": cannot read the build context list", e);
        }
    }

    @SuppressWarnings("deprecation") // withDockerfilePath: the context is sent file by file, so no .dockerignore pass
    private static String build() {
        Path root = repoRoot();
        Path jar = root.resolve("target/spikevae.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the container tests run after `mvn package` "
                    + "(mvn -B verify)");
        }
        String base = System.getProperty(BASE_PROPERTY, DEFAULT_BASE).strip();
        boolean baseIsLocal = existsLocally(base);
        ImageFromDockerfile image = new ImageFromDockerfile(TEST_TAG, false)
                .withDockerfilePath("docker/Dockerfile")
                .withBuildArg("BASE_IMAGE", base);
        for (String path : contextPaths()) {
            Path file = root.resolve(path);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(".dockerignore lets " + path + " through but " + file + " is not a file");
            }
            image.withFileFromPath(path, file);
        }
        try {
            return image.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("building " + TEST_TAG + " from docker/Dockerfile on " + base + " failed"
                    + (baseIsLocal ? "" : " (" + base + " is not in the engine and was to be pulled; without a registry, "
                    + "ci/container-tests.sh makes " + DEFAULT_BASE + " with debootstrap)") + ": " + e.getMessage(), e);
        }
    }

    private static String requireLocal(String image) {
        if (!existsLocally(image)) {
            throw new IllegalStateException("-D" + IMAGE_PROPERTY + "=" + image + ": no such image in the Docker engine");
        }
        return image;
    }

    private static boolean existsLocally(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }
}
