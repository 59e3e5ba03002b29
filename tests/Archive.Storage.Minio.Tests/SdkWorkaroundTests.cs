using System.Text;
using Archive.Testing.Storage;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// One test per Minio SDK 7.0.0 defect the adapter works around, against the real server. The "canary" tests assert the
/// defect itself: when one fails after an SDK upgrade, the work-around may be removed.
/// </summary>
public sealed class SdkWorkaroundTests(S3ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _root = "sdk-" + Guid.NewGuid().ToString("N")[..8] + "/";

    private MinioObjectStore Store
    {
        get
        {
            server.Require();
            return server.Store;
        }
    }

    private static byte[] Bytes(int n)
    {
        var b = new byte[n];
        new Random(n).NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Canary_sdk_ranged_get_throws_partial_content()
    {
        var key = _root + "canary-range";
        await Store.PutBytesAsync(key, Bytes(100), cancellationToken: Ct);
        await Assert.ThrowsAsync<PartialContentException>(() => server.Client.GetObjectAsync(new GetObjectArgs()
            .WithBucket(server.Bucket).WithObject(key).WithOffsetAndLength(10, 5).WithCallbackStream(s => s.CopyTo(Stream.Null)), Ct));
    }

    [Fact]
    public async Task Ranged_get_through_the_adapter_streams_only_the_range()
    {
        var bytes = Bytes(MinioObjectStore.SinglePartLimit + 100_000);
        var key = _root + "ranged.bin";
        await Store.PutBytesAsync(key, bytes, cancellationToken: Ct);

        var offset = MinioObjectStore.SinglePartLimit - 10;
        await using var content = await Store.GetAsync(key, new ByteRange(offset, 50_000), Ct);
        Assert.NotNull(content);
        Assert.Equal(new ByteRange(offset, 50_000), content.Range);
        Assert.Equal(bytes.Length, content.Info.Length);
        Assert.NotNull(content.Info.Sha256);
        Assert.Equal(bytes.AsSpan(offset, 50_000).ToArray(), await StreamAssert.ReadAllAsync(content.Stream, Ct));
        Assert.True(Store.Capabilities.HasFlag(ObjectStoreCapabilities.NativeRangedRead));
    }

    [Fact]
    public async Task Single_request_puts_are_signed_with_the_payload_digest_and_the_server_refuses_a_body_that_does_not_match()
    {
        // Small puts are sent by the adapter itself, signed with the SHA-256 it computed anyway (the SDK would copy
        // and hash the body a second time): the server checks the body against that digest.
        server.Require();
        var direct = new S3DirectClient(() => server.Client, server.Bucket, "us-east-1", 0);
        var key = _root + "signed-digest";
        byte[] body = [1, 2, 3];
        var wrong = StreamAssert.Sha256([1, 2, 4]);
        var ex = await Assert.ThrowsAsync<S3HttpException>(() => direct.PutAsync(key, body, wrong, "application/octet-stream", new Dictionary<string, string>(), contentMd5: false, Ct));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, ex.Status);
        Assert.Null(await direct.HeadAsync(key, Ct));

        var headers = await direct.PutAsync(key, body, StreamAssert.Sha256(body), "application/octet-stream", new Dictionary<string, string> { ["x-amz-meta-note"] = "a  b" }, contentMd5: true, Ct);
        Assert.False(string.IsNullOrEmpty(headers.GetValueOrDefault("ETag")));
        await using var stored = await Store.GetAsync(key, null, Ct);
        Assert.Equal(body, await StreamAssert.ReadAllAsync(stored!.Stream, Ct));
        Assert.Equal("a  b", stored.Info.Metadata["note"]);
    }

    [Fact]
    public async Task Canary_sdk_refuses_non_ascii_metadata()
    {
        server.Require();
        var key = _root + "canary-meta";
        var ex = await Record.ExceptionAsync(() => server.Client.PutObjectAsync(new PutObjectArgs()
            .WithBucket(server.Bucket).WithObject(key).WithStreamData(new MemoryStream([1])).WithObjectSize(1)
            .WithHeaders(new Dictionary<string, string> { ["title"] = "Hồ sơ" }), Ct));
        Assert.NotNull(ex);
        Assert.Contains("ASCII", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hồ sơ số 12/2024 — Ủy ban")]
    [InlineData("  leading and trailing blanks  ")]
    [InlineData("=?UTF-8?B?SGVsbG8=?=")]
    [InlineData("emoji 📁 and tab\tinside")]
    [InlineData("")]
    [InlineData("plain ascii; with = and ?")]
    public async Task Metadata_values_of_any_text_round_trip(string value)
    {
        var key = _root + "meta-" + Guid.NewGuid().ToString("N")[..6];
        await Store.PutBytesAsync(key, new byte[] { 1 }, new PutObjectOptions { Metadata = new Dictionary<string, string> { ["Value"] = value } }, Ct);
        var stat = await Store.StatAsync(key, Ct);
        Assert.Equal(value, stat!.Metadata["value"]);
        Assert.Equal(value, stat.Metadata["Value"]);

        // Stored as RFC 2047 when needed, so other S3 clients see ASCII.
        var raw = await server.Client.StatObjectAsync(new StatObjectArgs().WithBucket(server.Bucket).WithObject(key), Ct);
        Assert.All(raw.MetaData.Values, v => Assert.True(v.All(char.IsAscii)));
    }

    [Fact]
    public async Task Canary_sdk_returns_encoded_common_prefixes()
    {
        var key = _root + "sub dir+x/é.txt";
        await Store.PutBytesAsync(key, new byte[] { 1 }, cancellationToken: Ct);
        var prefixes = new List<string>();
        await foreach (var item in server.Client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(server.Bucket).WithPrefix(_root).WithRecursive(false), Ct))
        {
            prefixes.Add(item.Key);
        }

        Assert.Equal([_root + "sub%20dir%2Bx/"], prefixes);
    }

    [Fact]
    public async Task Common_prefixes_are_decoded_by_the_adapter()
    {
        var store = Store;
        string[] keys = ["sub dir+x/é.txt", "100%/a", "hồ sơ/văn bản", "a&b=c?d/e", "plain/f", "dots./x..", "tilde~/#hash"];
        foreach (var k in keys)
        {
            await store.PutBytesAsync(_root + k, Encoding.UTF8.GetBytes(k), cancellationToken: Ct);

            // The adapter's own signed HEAD and GET address the same object as the SDK's PUT.
            Assert.Equal(Encoding.UTF8.GetByteCount(k), (await store.StatAsync(_root + k, Ct))!.Length);
            await using var content = await store.GetAsync(_root + k, new ByteRange(1), Ct);
            Assert.Equal(Encoding.UTF8.GetBytes(k)[1..], await StreamAssert.ReadAllAsync(content!.Stream, Ct));
        }

        var page = await store.ListPageAsync(_root, new ObjectListOptions { Delimited = true }, Ct);
        Assert.Empty(page.Items);
        Assert.Equal(
            keys.Select(k => _root + k[..(k.IndexOf('/', StringComparison.Ordinal) + 1)]).Order(StringComparer.Ordinal),
            page.CommonPrefixes);

        var all = new List<string>();
        await foreach (var item in store.ListAsync(_root, 2, Ct))
        {
            all.Add(item.Key);
        }

        Assert.Equal(keys.Select(k => _root + k).Order(StringComparer.Ordinal), all);
    }

    [Fact]
    public async Task Listing_more_than_1000_keys_pages_with_continuation_tokens()
    {
        var store = Store;
        const int count = 1005;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
            await store.PutBytesAsync($"{_root}many/{i:D5}", new byte[] { (byte)i }, cancellationToken: ct));

        var first = await store.ListPageAsync(_root + "many/", cancellationToken: Ct);
        Assert.Equal(1000, first.Items.Count);
        Assert.NotNull(first.ContinuationToken);
        var second = await store.ListPageAsync(_root + "many/", new ObjectListOptions { ContinuationToken = first.ContinuationToken }, Ct);
        Assert.Equal(5, second.Items.Count);
        Assert.Null(second.ContinuationToken);
        Assert.Equal(
            Enumerable.Range(0, count).Select(i => $"{_root}many/{i:D5}"),
            first.Items.Concat(second.Items).Select(i => i.Key));
    }

    [Fact]
    public async Task Multipart_checksum_mismatch_leaves_no_object_and_no_incomplete_upload()
    {
        var store = Store;
        var key = _root + "wrong-big.bin";
        using var source = new GeneratedStream(3L * MinioObjectStore.DefaultPartSize + 7, 5);
        var ex = await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await store.PutAsync(key, source, new PutObjectOptions { ExpectedSha256 = new string('a', 64) }, Ct));
        Assert.Equal(source.Sha256, ex.Actual);
        Assert.Null(await store.StatAsync(key, Ct));

        var uploads = new List<string>();
        await foreach (var upload in server.Client.ListIncompleteUploadsEnumAsync(new ListIncompleteUploadsArgs().WithBucket(server.Bucket).WithPrefix(key), Ct))
        {
            uploads.Add(upload.UploadId);
        }

        Assert.Empty(uploads);
    }

    [Fact]
    public async Task Multipart_length_mismatch_is_detected_before_completion()
    {
        var store = Store;
        var key = _root + "short-big.bin";
        var expected = GeneratedStream.ComputeSha256(2L * MinioObjectStore.SinglePartLimit, 6);
        using var source = new GeneratedStream(2L * MinioObjectStore.SinglePartLimit, 6);
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await store.PutAsync(key, source, new PutObjectOptions { ExpectedSha256 = expected, ExpectedLength = 2L * MinioObjectStore.SinglePartLimit + 1 }, Ct));
        Assert.Null(await store.StatAsync(key, Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Large_writes_single_pass_with_digest_and_two_pass_from_seekable_streams(bool withDigest)
    {
        var store = Store;
        var length = 2 * MinioObjectStore.DefaultPartSize; // an exact multiple of the part size
        var bytes = Bytes(length);
        var sha = StreamAssert.Sha256(bytes);
        var key = _root + "seekable-" + withDigest;
        using var stream = new MemoryStream(bytes);
        var info = await store.PutAsync(key, stream, new PutObjectOptions { ExpectedSha256 = withDigest ? sha : null }, Ct);
        Assert.Equal(sha, info.Sha256);
        Assert.Equal(length, info.Length);
        await using var content = await store.GetAsync(key, cancellationToken: Ct);
        Assert.Equal((sha, (long)length), await StreamAssert.HashAsync(content!.Stream, Ct));
    }

    [Fact]
    public async Task Objects_written_by_other_clients_have_no_digest()
    {
        server.Require();
        var key = _root + "foreign";
        await server.Client.PutObjectAsync(new PutObjectArgs().WithBucket(server.Bucket).WithObject(key)
            .WithStreamData(new MemoryStream([1, 2, 3])).WithObjectSize(3).WithContentType("text/plain"), Ct);
        var stat = await Store.StatAsync(key, Ct);
        Assert.NotNull(stat);
        Assert.Null(stat.Sha256);
        Assert.Equal(3, stat.Length);
        Assert.Equal("text/plain", stat.ContentType);
    }
}
