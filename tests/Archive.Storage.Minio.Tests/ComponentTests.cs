using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Archive.Testing.Storage;
using Minio;
using Minio.DataModel.Args;

namespace Archive.Storage.Minio.Tests;

/// <summary>Metadata encoding, request signing, listing parsing and the verifying upload stream.</summary>
public sealed class ComponentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("Hồ sơ", "=?UTF-8?B?SOG7kyBzxqE=?=")]
    [InlineData("", "=?UTF-8?B??=")]
    [InlineData(" padded", "=?UTF-8?B?IHBhZGRlZA==?=")]
    [InlineData("=?x?=", "=?UTF-8?B?PT94Pz0=?=")]
    public void Metadata_values_are_encoded_only_when_needed_and_decode_back(string value, string encoded)
    {
        Assert.Equal(encoded, MetadataCodec.EncodeValue(value));
        Assert.Equal(value, MetadataCodec.DecodeValue(encoded));
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void Foreign_values_that_look_encoded_but_are_not_valid_are_kept()
    {
        Assert.Equal("=?UTF-8?B?***?=", MetadataCodec.DecodeValue("=?UTF-8?B?***?="));
        Assert.Equal("=?UTF-8?B?/w==?=", MetadataCodec.DecodeValue("=?UTF-8?B?/w==?=")); // 0xFF is not UTF-8
    }

    [Fact]
    public void Metadata_from_headers_skips_reserved_names_and_reads_the_digest()
    {
        var sha = new string('A', 64);
        var (metadata, digest) = MetadataCodec.FromHeaders(new Dictionary<string, string>
        {
            ["X-Amz-Meta-Title"] = "=?UTF-8?B?SOG7kyBzxqE=?=",
            ["x-amz-meta-archive-sha256"] = sha,
            ["x-amz-meta-archive-future"] = "x",
            ["Content-Type"] = "text/plain",
        });
        Assert.Equal(sha.ToLowerInvariant(), digest);
        Assert.Equal("Hồ sơ", metadata["title"]);
        Assert.Equal("Hồ sơ", metadata["TITLE"]);
        Assert.Single(metadata);
    }

    [Theory]
    [InlineData("simple/key.txt")]
    [InlineData("Hồ sơ lưu trữ/Quyết định 12-QĐ.pdf")]
    [InlineData("a b+c=d&e/~x_y.z")]
    public async Task Signatures_match_the_sdk_presigner(string key)
    {
        var date = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        using var client = (MinioClient)new MinioClient().WithEndpoint("127.0.0.1:9000").WithCredentials("AKIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").WithRegion("us-east-1").Build();
        var sdk = new Uri(await client.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket("archive").WithObject(key).WithExpiry(600).WithRequestDate(date)));
        var ours = S3RequestSigner.Presign("GET", new Uri("http://127.0.0.1:9000"), "archive", key, [], new S3Credentials("AKIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null), "us-east-1", date, 600);
        Assert.Equal(Signature(sdk), Signature(ours));
        Assert.Equal(sdk.AbsolutePath, ours.AbsolutePath);
    }

    private static string Signature(Uri uri)
        => uri.Query.TrimStart('?').Split('&').Single(p => p.StartsWith("X-Amz-Signature=", StringComparison.Ordinal));

    [Fact]
    public void Signing_follows_the_published_aws_example()
    {
        // AWS S3 documentation, "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", example
        // presigned GET of examplebucket/test.txt.
        var uri = S3RequestSigner.Presign("GET", new Uri("https://examplebucket.s3.amazonaws.com"), "examplebucket", "test.txt", [],
            new S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null), "us-east-1",
            new DateTime(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc), 86400);
        Assert.Contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request", uri.Query, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Date=20130524T000000Z", uri.Query, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Expires=86400", uri.Query, StringComparison.Ordinal);
        Assert.Equal(64, Signature(uri).Length - "X-Amz-Signature=".Length);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b/c", "a%2Bb/c")]
    [InlineData("ồ", "%E1%BB%93")]
    [InlineData("-_.~", "-_.~")]
    public void Uri_encoding_follows_sigv4(string value, string expected)
        => Assert.Equal(expected, S3RequestSigner.UriEncode(value, encodeSlash: false));

    [Fact]
    public void Listing_keys_and_prefixes_are_url_decoded()
    {
        var doc = XDocument.Parse("""
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken>
              <Contents><Key>a+b%2Bc%20d</Key><LastModified>2026-11-25T10:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>12</Size></Contents>
              <CommonPrefixes><Prefix>h%E1%BB%93%20s%C6%A1/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """);
        var page = S3DirectClient.ParseList(doc);
        Assert.Equal("a b+c d", page.Items[0].Key);
        Assert.Equal(12, page.Items[0].Size);
        Assert.Equal("e1", page.Items[0].ETag);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), page.Items[0].LastModified);
        Assert.Equal(["hồ sơ/"], page.CommonPrefixes);
        Assert.Equal("t1", page.ContinuationToken);
    }

    [Theory]
    [InlineData(System.Net.HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(System.Net.HttpStatusCode.InternalServerError, true)]
    [InlineData(System.Net.HttpStatusCode.TooManyRequests, true)]
    [InlineData(System.Net.HttpStatusCode.Forbidden, false)]
    [InlineData(System.Net.HttpStatusCode.NotFound, false)]
    [InlineData(System.Net.HttpStatusCode.BadRequest, false)]
    public void Only_server_side_failures_are_retried(System.Net.HttpStatusCode status, bool transient)
        => Assert.Equal(transient, S3DirectClient.IsTransient(status));

    private static async Task<byte[]> Drain(Stream s)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[7];
        int n;
        while ((n = await s.ReadAsync(buffer, Ct)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }

    [Fact]
    public async Task Verifying_stream_serves_head_then_tail_and_checks_at_the_end()
    {
        var data = Encoding.UTF8.GetBytes("0123456789abcdef");
        var sha = StreamAssert.Sha256(data);
        using var ok = new VerifyingReadStream(data.AsMemory(0, 5), new NonSeekableStream(data[5..]), data.Length, sha);
        Assert.Equal(data, await Drain(ok));
        Assert.Equal(sha, ok.Sha256);

        using var wrong = new VerifyingReadStream(data.AsMemory(0, 5), new NonSeekableStream(data[5..]), null, new string('0', 64));
        var ex = await Assert.ThrowsAsync<ContentMismatchException>(() => Drain(wrong));
        Assert.False(ex.IsLength);
        Assert.Equal(sha, ex.Actual);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    public async Task Verifying_stream_detects_a_wrong_length_before_the_end_is_handed_out(long expected)
    {
        var data = new byte[16];
        using var s = new VerifyingReadStream(ReadOnlyMemory<byte>.Empty, new NonSeekableStream(data), expected, null);
        var ex = await Assert.ThrowsAsync<ContentMismatchException>(() => Drain(s));
        Assert.True(ex.IsLength);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture) + " bytes", ex.Expected);
    }

    [Fact]
    public void Verifying_stream_with_exact_length_verifies_without_an_extra_read_call_from_the_consumer()
    {
        // The SDK stops reading once it has the announced size: verification must happen on the read that reaches it.
        var data = new byte[10];
        using var s = new VerifyingReadStream(ReadOnlyMemory<byte>.Empty, new MemoryStream(data), 10, new string('0', 64));
        var buffer = new byte[10];
        Assert.Throws<ContentMismatchException>(() => s.ReadAtLeast(buffer, 10));
    }
}
