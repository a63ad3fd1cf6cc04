package org.stellaops.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;

/**
 * The S3-compatible object store (MinIO Java SDK): SBOMs, reports, fragments, feed kits and attestation bundles under
 * the keys of docs/architecture.md, in one bucket (default {@code stellaops}).
 */
public final class ObjectStore {
    private final MinioClient client;
    private final MinioClient presigner;
    private final String bucket;
    private final String endpoint;

    public ObjectStore(String endpoint, String accessKey, String secretKey, String bucket) {
        this(endpoint, endpoint, accessKey, secretKey, bucket);
    }

    /**
     * @param presignEndpoint the endpoint as the holders of pre-signed URLs reach it (the host is part of the signature)
     */
    public ObjectStore(String endpoint, String presignEndpoint, String accessKey, String secretKey, String bucket) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        // the region is set, so the SDK never asks the server for it: signing a URL needs no request
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).region("us-east-1").build();
        this.presigner = presignEndpoint.equals(endpoint) ? client
                : MinioClient.builder().endpoint(presignEndpoint).credentials(accessKey, secretKey).region("us-east-1").build();
    }

    /**
     * A pre-signed (AWS signature V4) URL allowing one thing: a PUT of exactly this key, until {@code expiry} from now.
     * Whoever holds it can write that object and nothing else; it carries no credentials.
     */
    public String presignedPut(String key, Duration expiry) throws StorageException {
        return call("presign " + key, () -> presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.PUT)
                .bucket(bucket).object(key).expiry((int) Math.max(1, expiry.toSeconds())).build()));
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket when missing (idempotent; at start and whenever the store comes back). */
    public void ensureBucket() throws StorageException {
        call("bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    public void put(String key, byte[] data, String contentType) throws StorageException {
        call("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1).contentType(contentType).build()));
    }

    public Optional<byte[]> get(String key) throws StorageException {
        return call("get " + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(in.readAllBytes());
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<byte[]>empty();
                }
                throw e;
            }
        });
    }

    public boolean exists(String key) throws StorageException {
        return call("stat " + key, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    public void delete(String key) throws StorageException {
        call("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse() == null ? "" : e.errorResponse().code();
        return code.equals("NoSuchKey") || code.equals("NoSuchObject") || e.response() != null && e.response().code() == 404;
    }

    interface Call<T> {
        T run() throws Exception;
    }

    private <T> T call(String what, Call<T> c) throws StorageException {
        try {
            return c.run();
        } catch (ConnectException e) {
            throw new StorageException("object store " + endpoint + " unreachable (" + what + "): " + e.getMessage(), true, e);
        } catch (IOException e) {
            throw new StorageException("object store " + endpoint + " (" + what + "): " + e, true, e);
        } catch (Exception e) {
            throw new StorageException("object store " + endpoint + " (" + what + "): " + e, false, e);
        }
    }
}
