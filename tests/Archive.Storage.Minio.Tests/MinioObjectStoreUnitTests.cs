using System.Net;
using System.Text;
using Archive.Testing.Storage;
using Minio.DataModel.Args;
using Minio.DataModel.Response;
using Minio.Exceptions;
using SdkNotFound = Minio.Exceptions.ObjectNotFoundException;

namespace Archive.Storage.Minio.Tests;

/// <summary>The adapter's own logic with a mocked SDK client and scripted HTTP answers (no server).</summary>
public sealed class MinioObjectStoreUnitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_are_mapped_under_the_key_prefix_for_every_request()
    {
        var s3 = new FakeS3("archive/");
        s3.Respond = r => r.Method == HttpMethod.Put ? FakeS3.Stored("e1") : new HttpResponseMessage(HttpStatusCode.NotFound);

        var decomposed = "Hồ sơ/văn bản.pdf".Normalize(NormalizationForm.FormD);
        var info = await s3.Store.PutAsync(decomposed, new MemoryStream([1, 2, 3]), null, Ct);
        Assert.Equal("Hồ sơ/văn bản.pdf", info.Key);
        Assert.Equal("e1", info.ETag);

        // The signed HEAD and the PUT go to /bucket/archive/<percent-encoded NFC key>.
        var head = s3.Requests[0];
        Assert.Equal(HttpMethod.Head, head.Method);
        Assert.Equal("/bucket/archive/H%E1%BB%93%20s%C6%A1/v%C4%83n%20b%E1%BA%A3n.pdf", head.RequestUri!.AbsolutePath);
        Assert.Equal(head.RequestUri.AbsolutePath, Assert.Single(s3.Puts).RequestUri!.AbsolutePath);

        s3.Respond = _ => ListResponse("archive/", ["archive/a b+c", "archive/d"], ["archive/sub dir/"]);
        var page = await s3.Store.ListPageAsync("", new ObjectListOptions { Delimited = true }, Ct);
        Assert.Equal(["a b+c", "d"], page.Items.Select(i => i.Key));
        Assert.Equal(["sub dir/"], page.CommonPrefixes);
        var query = s3.Requests[^1].RequestUri!.Query;
        Assert.Contains("prefix=archive%2F", query, StringComparison.Ordinal);
        Assert.Contains("delimiter=%2F", query, StringComparison.Ordinal);
        Assert.Contains("list-type=2", query, StringComparison.Ordinal);
    }

    private static HttpResponseMessage ListResponse(string prefix, string[] keys, string[] prefixes, string? next = null)
    {
        static string Enc(string s) => WebUtility.UrlEncode(s);
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        xml.Append("<Name>bucket</Name><Prefix>").Append(Enc(prefix)).Append("</Prefix><EncodingType>url</EncodingType>");
        xml.Append("<IsTruncated>").Append(next is null ? "false" : "true").Append("</IsTruncated>");
        if (next is not null)
        {
            xml.Append("<NextContinuationToken>").Append(next).Append("</NextContinuationToken>");
        }

        foreach (var k in keys)
        {
            xml.Append("<Contents><Key>").Append(Enc(k)).Append("</Key><LastModified>2026-11-25T10:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>5</Size></Contents>");
        }

        foreach (var p in prefixes)
        {
            xml.Append("<CommonPrefixes><Prefix>").Append(Enc(p)).Append("</Prefix></CommonPrefixes>");
        }

        xml.Append("</ListBucketResult>");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(xml.ToString()) };
    }

    [Fact]
    public async Task Continuation_tokens_pass_through_and_page_size_becomes_max_keys()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => ListResponse("p/", ["p/1", "p/2"], [], next: "tok+/=");
        var page = await s3.Store.ListPageAsync("p/", new ObjectListOptions { PageSize = 2 }, Ct);
        Assert.Equal("tok+/=", page.ContinuationToken);
        Assert.Contains("max-keys=2", s3.Requests[^1].RequestUri!.Query, StringComparison.Ordinal);

        s3.Respond = _ => ListResponse("p/", ["p/3"], []);
        page = await s3.Store.ListPageAsync("p/", new ObjectListOptions { PageSize = 2, ContinuationToken = "tok+/=" }, Ct);
        Assert.Null(page.ContinuationToken);
        Assert.Contains("continuation-token=tok%2B%2F%3D", s3.Requests[^1].RequestUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Object_lock_refusal_of_a_version_delete_becomes_ObjectLockedException()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Object(versionId: "v7", headers: [("x-amz-object-lock-legal-hold", "ON")]);
        RemoveObjectArgs? remove = null;
        s3.Client.Setup(c => c.RemoveObjectAsync(It.IsAny<RemoveObjectArgs>(), It.IsAny<CancellationToken>()))
            .Callback<RemoveObjectArgs, CancellationToken>((a, _) => remove = a)
            .ThrowsAsync(FakeS3.SdkError("AccessDenied", "forbidden by object lock"));

        var ex = await Assert.ThrowsAsync<ObjectLockedException>(async () => await s3.Store.DeleteAsync("k", Ct));
        Assert.Equal("delete", ex.Operation);
        Assert.Equal("k", ex.Key);
        Assert.Equal("bucket", ex.Container);
        Assert.Contains("legal hold", ex.Reason, StringComparison.Ordinal);
        Assert.IsType<UnexpectedMinioException>(ex.InnerException);
        Assert.Equal("v7", FakeS3.Arg<string>(remove!, "VersionId"));
    }

    [Fact]
    public async Task Access_denied_without_a_lock_is_a_plain_storage_error()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Object();
        s3.Client.Setup(c => c.RemoveObjectAsync(It.IsAny<RemoveObjectArgs>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(FakeS3.SdkError("AccessDenied", "Access Denied"));
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.DeleteAsync("k", Ct));
        Assert.IsNotType<ObjectLockedException>(ex);
        Assert.Contains("access denied", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Exception, string> SdkFailures => new()
    {
        { new ConnectionException("Connection refused"), "cannot reach" },
        { new HttpRequestException("Connection refused"), "cannot reach" },
        { new BucketNotFoundException("bucket", "gone"), "bucket does not exist" },
        { new AuthorizationException("r", "bucket", "SignatureDoesNotMatch"), "access denied" },
        { FakeS3.SdkError("SlowDown", "reduce your request rate"), "SlowDown: reduce your request rate" },
        { new TaskCanceledException("timeout"), "timed out" },
        { new ArgumentNullException("message"), "ArgumentNullException" },
    };

    [Theory]
    [MemberData(nameof(SdkFailures))]
    public async Task Every_sdk_failure_becomes_ArchiveStorageException_with_the_inner_exception(Exception failure, string expected)
    {
        // Deletes go through the SDK (puts are sent by the adapter itself, see the next test).
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Object(versionId: "v1");
        s3.Client.Setup(c => c.RemoveObjectAsync(It.IsAny<RemoveObjectArgs>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.DeleteAsync("a/b", Ct));
        Assert.Equal("s3", ex.System);
        Assert.Equal("delete", ex.Operation);
        Assert.Equal("a/b", ex.Key);
        Assert.Same(failure, ex.InnerException);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<HttpResponseMessage>, string> DirectPutFailures => new()
    {
        { "refused", () => throw new HttpRequestException("Connection refused"), "cannot reach" },
        { "timeout", () => throw new TaskCanceledException("timeout", new TimeoutException()), "timed out" },
        { "slow down", () => FakeS3.Error(HttpStatusCode.ServiceUnavailable, "SlowDown", "reduce your request rate"), "HTTP 503 SlowDown: reduce your request rate" },
        { "bad digest", () => FakeS3.Error(HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch", "digest"), "XAmzContentSHA256Mismatch" },
        { "signature", () => FakeS3.Error(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "check your key"), "SignatureDoesNotMatch" },
    };

    [Theory]
    [MemberData(nameof(DirectPutFailures))]
    public async Task Single_request_put_failures_become_ArchiveStorageException_and_are_not_retried(string name, Func<HttpResponseMessage> answer, string expected)
    {
        var s3 = new FakeS3();
        s3.Respond = r => r.Method == HttpMethod.Put ? answer() : new HttpResponseMessage(HttpStatusCode.NotFound);
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.PutBytesAsync("a/b", new byte[] { 1 }, cancellationToken: Ct));
        Assert.Equal("put", ex.Operation);
        Assert.Equal("a/b", ex.Key);
        Assert.NotNull(ex.InnerException);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Single(s3.Puts); // a lost answer must not become a second version
        _ = name;
    }

    [Fact]
    public async Task The_request_time_limit_applies_to_the_requests_the_adapter_sends_itself()
    {
        var s3 = new FakeS3(configure: o => (o.RequestTimeoutMilliseconds, o.ReadRetries) = (200, 1));
        s3.Delay = r => r.Method == HttpMethod.Put ? TimeSpan.FromSeconds(30) : null;
        s3.Respond = r => r.Method == HttpMethod.Put ? FakeS3.Stored("e") : new HttpResponseMessage(HttpStatusCode.NotFound);

        // A write is not retried: it fails as timed out (the caller did not cancel).
        var started = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.PutBytesAsync("a", new byte[] { 1 }, cancellationToken: Ct));
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), started.Elapsed.ToString());
        Assert.Single(s3.Puts);
        s3.Respond = _ => FakeS3.Object();

        // A read that times out is retried.
        var calls = 0;
        s3.Delay = _ => ++calls == 1 ? TimeSpan.FromSeconds(30) : null;
        Assert.NotNull(await s3.Store.StatAsync("a", Ct));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_translated()
    {
        var s3 = new FakeS3();
        using var cts = new CancellationTokenSource();
        s3.Respond = r =>
        {
            if (r.Method != HttpMethod.Put)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            cts.Cancel();
            throw new OperationCanceledException(cts.Token);
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await s3.Store.PutBytesAsync("a", new byte[] { 1 }, cancellationToken: cts.Token));
    }

    private static HttpResponseMessage Xml(string xml) => new(HttpStatusCode.OK) { Content = new StringContent(xml) };

    private static Func<HttpRequestMessage, HttpResponseMessage> Multipart(Func<HttpRequestMessage, HttpResponseMessage?>? part = null, HttpResponseMessage? complete = null) => r =>
    {
        var query = r.RequestUri!.Query;
        if (r.Method == HttpMethod.Post && query.Contains("uploads=", StringComparison.Ordinal))
        {
            return Xml("<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><UploadId>up-1</UploadId></InitiateMultipartUploadResult>");
        }

        if (r.Method == HttpMethod.Put && query.Contains("partNumber=", StringComparison.Ordinal))
        {
            return part?.Invoke(r) ?? FakeS3.Stored("p" + query.Split("partNumber=")[1].Split('&')[0]);
        }

        if (r.Method == HttpMethod.Post && query.Contains("uploadId=up-1", StringComparison.Ordinal))
        {
            // As S3 answers a long completion: spaces sent to keep the connection alive, then the document.
            return complete ?? Xml("   \n <?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ETag>\"whole-3\"</ETag></CompleteMultipartUploadResult>");
        }

        return r.Method == HttpMethod.Delete ? new HttpResponseMessage(HttpStatusCode.NoContent) : new HttpResponseMessage(HttpStatusCode.NotFound);
    };

    private static IEnumerable<HttpRequestMessage> Aborts(FakeS3 s3) => s3.Requests.Where(r => r.Method == HttpMethod.Delete && r.RequestUri!.Query.Contains("uploadId=up-1", StringComparison.Ordinal));

    [Fact]
    public async Task Multipart_uploads_parts_signed_with_their_digest_and_completes_them_in_order()
    {
        var s3 = new FakeS3();
        s3.Respond = Multipart();
        var length = (2 * MinioObjectStore.DefaultPartSize) + 123;
        var bytes = await StreamAssert.ReadAllAsync(new GeneratedStream(length, 7), Ct);
        var info = await s3.Store.PutAsync("big", new GeneratedStream(length, 7), new PutObjectOptions { ContentType = "image/tiff" }, Ct);
        Assert.Equal("whole-3", info.ETag);
        Assert.Equal(StreamAssert.Sha256(bytes), info.Sha256);

        var initiate = s3.Requests.Single(r => r.Method == HttpMethod.Post && r.RequestUri!.Query.Contains("uploads", StringComparison.Ordinal));
        Assert.Equal(info.Sha256, FakeS3.Header(initiate, "x-amz-meta-archive-sha256"));
        Assert.Equal("image/tiff", FakeS3.Header(initiate, "Content-Type"));
        static int Number(HttpRequestMessage r) => int.Parse(r.RequestUri!.Query.Split("partNumber=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        var parts = s3.Puts.OrderBy(Number).ToList(); // sent two at a time, in any order
        Assert.Equal(3, parts.Count);
        var offset = 0;
        foreach (var (part, i) in parts.Select((p, i) => (p, i)))
        {
            Assert.Contains($"partNumber={i + 1}", part.RequestUri!.Query, StringComparison.Ordinal);
            var body = s3.Bodies[part];
            Assert.Equal(bytes.AsSpan(offset, body.Length).ToArray(), body);
            Assert.Equal(StreamAssert.Sha256(body), FakeS3.Header(part, "x-amz-content-sha256"));
            offset += body.Length;
        }

        Assert.Equal(length, offset);
        var complete = s3.Requests.Single(r => r.Method == HttpMethod.Post && r.RequestUri!.Query.Contains("uploadId=up-1", StringComparison.Ordinal));
        var xml = Encoding.UTF8.GetString(s3.Bodies[complete]);
        Assert.True(xml.IndexOf("\"p1\"", StringComparison.Ordinal) < xml.IndexOf("\"p2\"", StringComparison.Ordinal) && xml.IndexOf("\"p2\"", StringComparison.Ordinal) < xml.IndexOf("\"p3\"", StringComparison.Ordinal), xml);
        Assert.Empty(Aborts(s3));
    }

    [Fact]
    public async Task Multipart_failure_aborts_the_upload()
    {
        var s3 = new FakeS3();
        s3.Respond = Multipart(part: r => r.RequestUri!.Query.Contains("partNumber=2", StringComparison.Ordinal) ? throw new HttpRequestException("reset") : null);
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () =>
            await s3.Store.PutAsync("big", new GeneratedStream((3 * MinioObjectStore.DefaultPartSize) + 1, 1), null, Ct));
        Assert.Contains("cannot reach", ex.Message, StringComparison.Ordinal);
        Assert.Single(Aborts(s3));
        Assert.DoesNotContain(s3.Requests, r => r.Method == HttpMethod.Post && r.RequestUri!.Query.Contains("uploadId=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Content_that_does_not_match_its_digest_is_never_completed()
    {
        var s3 = new FakeS3();
        s3.Respond = Multipart();
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await s3.Store.PutAsync("big", new GeneratedStream((2 * MinioObjectStore.DefaultPartSize) + 5, 1), new PutObjectOptions { ExpectedSha256 = new string('1', 64) }, Ct));
        Assert.Single(Aborts(s3));
        Assert.DoesNotContain(s3.Requests, r => r.Method == HttpMethod.Post && r.RequestUri!.Query.Contains("uploadId=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_complete_answered_200_with_an_error_document_fails_the_put()
    {
        var s3 = new FakeS3();
        s3.Respond = Multipart(complete: Xml("<Error><Code>InternalError</Code><Message>try again</Message></Error>"));
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () =>
            await s3.Store.PutAsync("big", new GeneratedStream(MinioObjectStore.DefaultPartSize + 5, 1), null, Ct));
        Assert.Contains("InternalError: try again", ex.Message, StringComparison.Ordinal);
        Assert.Single(Aborts(s3));
    }

    [Theory]
    [InlineData(null, MinioObjectStore.DefaultPartSize)]
    [InlineData(100L * 1024 * 1024 * 1024, 11 * 1024 * 1024)] // 100 GiB / 10 000 parts = 10.24 MiB, rounded up to whole MiB
    [InlineData(5L * 1024 * 1024 * 1024 * 1024, 525 * 1024 * 1024)]
    public void Part_size_grows_only_when_10000_parts_would_not_hold_the_content(long? length, int expected)
        => Assert.Equal(expected, MinioObjectStore.PartSize(length));

    [Fact]
    public async Task Small_mismatches_are_caught_before_any_request_to_write()
    {
        var s3 = new FakeS3();
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await s3.Store.PutBytesAsync("a", new byte[] { 1, 2 }, new PutObjectOptions { ExpectedSha256 = new string('f', 64) }, Ct));
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await s3.Store.PutBytesAsync("a", new byte[] { 1, 2 }, new PutObjectOptions { ExpectedLength = 3 }, Ct));
        Assert.Empty(s3.Puts);
    }

    [Fact]
    public async Task A_large_stream_longer_than_its_announced_length_is_refused_before_uploading()
    {
        var s3 = new FakeS3();
        var ex = await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await s3.Store.PutAsync("big",
            new GeneratedStream(MinioObjectStore.SinglePartLimit + 10, 2),
            new PutObjectOptions { ExpectedSha256 = new string('1', 64), ExpectedLength = MinioObjectStore.SinglePartLimit - 1 }, Ct));
        Assert.StartsWith("more than", ex.Actual, StringComparison.Ordinal);
        Assert.DoesNotContain(s3.Requests, r => r.Method != HttpMethod.Head);
    }

    [Fact]
    public async Task Writes_record_the_digest_and_encoded_metadata_as_headers()
    {
        var s3 = new FakeS3();
        s3.Respond = r => r.Method == HttpMethod.Put ? FakeS3.Stored("e") : new HttpResponseMessage(HttpStatusCode.NotFound);
        byte[] body = [1, 2, 3];
        await s3.Store.PutBytesAsync("a", body, new PutObjectOptions
        {
            ContentType = "application/pdf",
            Metadata = new Dictionary<string, string> { ["Title"] = "Hồ sơ", ["code"] = "G09" },
            Retention = new ObjectRetention(RetentionMode.Compliance, new DateTimeOffset(2099, 1, 1, 0, 0, 0, 500, TimeSpan.Zero)),
        }, Ct);
        var put = Assert.Single(s3.Puts);
        var sha = StreamAssert.Sha256(body);
        Assert.Equal(body, s3.Bodies[put]);
        Assert.Equal(sha, FakeS3.Header(put, "x-amz-meta-archive-sha256"));
        Assert.Equal("=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Hồ sơ")) + "?=", FakeS3.Header(put, "x-amz-meta-title"));
        Assert.Equal("G09", FakeS3.Header(put, "x-amz-meta-code"));
        Assert.Equal("application/pdf", FakeS3.Header(put, "Content-Type"));
        Assert.Equal("COMPLIANCE", FakeS3.Header(put, "x-amz-object-lock-mode"));
        Assert.Equal("2099-01-01T00:00:01.000Z", FakeS3.Header(put, "x-amz-object-lock-retain-until-date")); // rounded up, never shorter
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body)), FakeS3.Header(put, "Content-MD5")); // required with object lock

        // Signed with the payload's digest (the server refuses a body that does not match it), and every header that
        // carries meaning is covered by the signature.
        Assert.Equal(sha, FakeS3.Header(put, "x-amz-content-sha256"));
        var authorization = FakeS3.Header(put, "Authorization")!;
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIATEST/", authorization, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-archive-sha256;x-amz-meta-code;x-amz-meta-title;x-amz-object-lock-mode;x-amz-object-lock-retain-until-date,", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_only_sends_If_None_Match_and_maps_412_to_already_exists()
    {
        var s3 = new FakeS3();
        s3.Respond = r => r.Method == HttpMethod.Put ? FakeS3.Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed") : new HttpResponseMessage(HttpStatusCode.NotFound);
        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(async () => await s3.Store.PutBytesAsync("a", new byte[] { 1 }, new PutObjectOptions { CreateOnly = true }, Ct));
        var put = Assert.Single(s3.Puts);
        Assert.Equal("*", FakeS3.Header(put, "If-None-Match"));
        Assert.Contains("if-none-match", FakeS3.Header(put, "Authorization"), StringComparison.Ordinal);
        Assert.Null(FakeS3.Header(put, "Content-MD5")); // no retention, no MD5
    }

    [Theory]
    [InlineData("archive-sha256", "metadata.reserved")]
    [InlineData("tiêu đề", "metadata.name")]
    [InlineData("a_b", "metadata.name")]
    public async Task Reserved_or_invalid_metadata_names_are_rejected(string name, string rule)
    {
        var s3 = new FakeS3();
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await s3.Store.PutBytesAsync("a", new byte[] { 1 }, new PutObjectOptions { Metadata = new Dictionary<string, string> { [name] = "x" } }, Ct));
        Assert.Equal(rule, ex.Errors[0].Rule);
        Assert.Empty(s3.Requests);
    }

    [Fact]
    public async Task Transient_read_failures_are_retried_and_client_errors_are_not()
    {
        var s3 = new FakeS3();
        var calls = 0;
        s3.Respond = _ => ++calls < 3 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : FakeS3.Object();
        Assert.NotNull(await s3.Store.StatAsync("a", Ct));
        Assert.Equal(3, calls);

        calls = 0;
        s3.Respond = _ =>
        {
            calls++;
            return FakeS3.Error(HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
        };
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.GetAsync("a", cancellationToken: Ct));
        Assert.Equal(1, calls);
        Assert.Equal("get", ex.Operation);
        Assert.IsType<S3HttpException>(ex.InnerException);

        calls = 0;
        s3.Respond = _ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.InternalServerError);
        };
        await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.StatAsync("a", Ct));
        Assert.Equal(3, calls); // the first try and two retries
    }

    [Fact]
    public async Task A_missing_bucket_on_get_is_an_error_not_an_absent_object()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Error(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist");
        await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.GetAsync("a", cancellationToken: Ct));

        s3.Respond = _ => FakeS3.Error(HttpStatusCode.NotFound, "NoSuchKey", "The specified key does not exist.");
        Assert.Null(await s3.Store.GetAsync("a", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_is_skipped_and_limited_locally()
    {
        var s3 = new FakeS3();
        var bytes = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        s3.Respond = _ =>
        {
            var r = FakeS3.Object(100);
            r.Content = new ByteArrayContent(bytes);
            return r;
        };
        await using var content = await s3.Store.GetAsync("a", new ByteRange(10, 5), Ct);
        Assert.Equal(new ByteRange(10, 5), content!.Range);
        Assert.Equal(bytes[10..15], await StreamAssert.ReadAllAsync(content.Stream, Ct));
        Assert.Equal("bytes=10-14", s3.Requests[^1].Headers.Range!.ToString());
    }

    [Fact]
    public async Task Retention_and_legal_hold_are_read_from_the_object_lock_headers()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Object(headers:
        [
            ("x-amz-object-lock-mode", "GOVERNANCE"),
            ("x-amz-object-lock-retain-until-date", "2099-05-01T10:20:30.000000000Z"),
            ("x-amz-object-lock-legal-hold", "ON"),
        ]);
        var retention = await s3.Store.GetRetentionAsync("a", Ct);
        Assert.Equal(new ObjectRetention(RetentionMode.Governance, new DateTimeOffset(2099, 5, 1, 10, 20, 30, TimeSpan.Zero)), retention);
        Assert.True(await s3.Store.GetLegalHoldAsync("a", Ct));

        // An overwrite of a held object is refused before anything is sent.
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await s3.Store.PutBytesAsync("a", new byte[] { 1 }, cancellationToken: Ct));
        Assert.Empty(s3.Puts);
    }

    [Fact]
    public async Task Retention_calls_target_the_current_version_and_map_not_found()
    {
        var s3 = new FakeS3();
        s3.Respond = _ => FakeS3.Object(versionId: "v9");
        SetObjectRetentionArgs? set = null;
        s3.Client.Setup(c => c.SetObjectRetentionAsync(It.IsAny<SetObjectRetentionArgs>(), It.IsAny<CancellationToken>()))
            .Callback<SetObjectRetentionArgs, CancellationToken>((a, _) => set = a).Returns(Task.CompletedTask);
        await s3.Store.SetRetentionAsync("a", new ObjectRetention(RetentionMode.Compliance, DateTimeOffset.UtcNow.AddDays(1)), Ct);
        Assert.Equal("v9", FakeS3.Arg<string>(set!, "VersionId"));
        Assert.False(FakeS3.Arg<bool>(set!, "BypassGovernanceMode"));

        // Deleted between the HEAD and the call.
        s3.Client.Setup(c => c.SetObjectLegalHoldAsync(It.IsAny<SetObjectLegalHoldArgs>(), It.IsAny<CancellationToken>())).ThrowsAsync(new SdkNotFound("a"));
        await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await s3.Store.SetLegalHoldAsync("a", true, Ct));
    }

    [Fact]
    public async Task A_bucket_without_object_lock_is_refused_before_the_first_operation()
    {
        var s3 = new FakeS3 { LockEnabled = false };
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await s3.Store.StatAsync("a", Ct));
        Assert.Equal("bucket", ex.Operation);
        Assert.Contains("no S3 Object Lock", ex.Message, StringComparison.Ordinal);
        Assert.Empty(s3.Requests);

        // Not remembered: once the bucket is fixed, the next operation checks again and proceeds.
        s3.LockEnabled = true;
        s3.Respond = _ => FakeS3.Object();
        Assert.NotNull(await s3.Store.StatAsync("a", Ct));
        Assert.NotNull(await s3.Store.StatAsync("a", Ct));
        Assert.Equal(2, s3.LockRequests);
    }

    [Fact]
    public void Capabilities_are_honest()
    {
        var s3 = new FakeS3();
        Assert.Equal(ObjectStoreCapabilities.NativeRangedRead, s3.Store.Capabilities);
        Assert.False(s3.Store.Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly));
        Assert.Equal(RetentionEnforcement.Worm, s3.Store.Enforcement);
        Assert.Equal("s3", s3.Store.SystemName);
        Assert.Equal("bucket", s3.Store.ContainerName);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00.0000000Z", "2026-01-01T00:00:00.0000000Z")]
    [InlineData("2026-01-01T00:00:00.0010000Z", "2026-01-01T00:00:01.0000000Z")]
    [InlineData("2026-01-01T07:00:00.9990000+07:00", "2026-01-01T00:00:01.0000000Z")]
    public void Retain_until_dates_round_up_to_the_second(string input, string expected)
        => Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), MinioObjectStore.RoundUp(DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture)));
}
