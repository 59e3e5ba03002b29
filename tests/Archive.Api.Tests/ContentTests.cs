using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Upload (raw body, streamed, size limit, names) and download (Range, ETag, If-None-Match).</summary>
public sealed class ContentTests(SmallUploadApiFactory factory) : IClassFixture<SmallUploadApiFactory>
{
    private async Task<(HttpClient Client, string FileCode)> FileWithDocumentAsync()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "Tờ trình" }), Ct).ExpectAsync(201);
        return (client, fileCode);
    }

    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task Range_requests_answer_206_with_content_range_and_416_when_unsatisfiable()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var data = Data(10_000);
        await client.PutAsync(ContentUrl(fileCode, 1, "dữ liệu.bin"), Bytes(data), Ct).ExpectAsync(200);
        var url = ContentUrl(fileCode, 1, "dữ liệu.bin");

        async Task<HttpResponseMessage> GetRange(string range, string? ifRange = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", range);
            if (ifRange is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Range", ifRange);
            }

            return await client.SendAsync(request, Ct);
        }

        using (var r = await GetRange("bytes=100-199"))
        {
            Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
            Assert.Equal("bytes 100-199/10000", r.Content.Headers.ContentRange?.ToString());
            Assert.Equal(data[100..200], await r.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var r = await GetRange("bytes=-50"))
        {
            Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
            Assert.Equal(data[^50..], await r.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var r = await GetRange("bytes=9990-"))
        {
            Assert.Equal("bytes 9990-9999/10000", r.Content.Headers.ContentRange?.ToString());
            Assert.Equal(data[9990..], await r.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var r = await GetRange("bytes=9000-20000"))
        {
            Assert.Equal("bytes 9000-9999/10000", r.Content.Headers.ContentRange?.ToString());
            Assert.Equal(1000, (await r.Content.ReadAsByteArrayAsync(Ct)).Length);
        }

        using (var r = await GetRange("bytes=10000-"))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, r.StatusCode);
            Assert.Equal("bytes */10000", r.Content.Headers.ContentRange?.ToString());
            Assert.Contains("range.not-satisfiable", await r.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // If-Range with another ETag: the whole content.
        using (var r = await GetRange("bytes=0-9", "\"0000\""))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(data, await r.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    [Fact]
    public async Task ETag_is_the_sha256_and_If_None_Match_answers_304()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var data = Data(3000);
        await client.PutAsync(ContentUrl(fileCode, 1, "a.bin"), Bytes(data), Ct).ExpectAsync(200);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(data))}\"";
        var request = new HttpRequestMessage(HttpMethod.Get, ContentUrl(fileCode, 1, "a.bin"));
        request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag));
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Oversized_uploads_answer_413_with_or_without_content_length_and_store_nothing()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var before = factory.StoreDigest();
        var big = Data((int)SmallUploadApiFactory.Limit + 1);
        await client.PutAsync(ContentUrl(fileCode, 1, "lớn.bin"), Bytes(big), Ct).ExpectProblemAsync(413, "content", "content.too-large");

        // Chunked (no Content-Length): refused while streaming.
        var chunked = new StreamContent(new NonSeekableStream(big));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await client.PutAsync(ContentUrl(fileCode, 1, "lớn.bin"), chunked, Ct).ExpectProblemAsync(413, "content", "content.too-large");

        Assert.Equal(before, factory.StoreDigest());
        Assert.Equal(0, factory.SpoolFiles());

        // Exactly the limit is accepted.
        await client.PutAsync(ContentUrl(fileCode, 1, "vừa.bin"), Bytes(Data((int)SmallUploadApiFactory.Limit)), Ct).ExpectAsync(200);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_before_the_body_is_read()
    {
        // The API's own check: a Content-Length over Archive:MaxUploadBytes is refused before the body is read. The
        // body here is 10 bytes under a header announcing limit + 1, so an endpoint that read it and left the limit to
        // the engine's spooling would store 10 bytes and answer 200.
        var (client, fileCode) = await FileWithDocumentAsync();
        var before = factory.StoreDigest();
        var content = new ByteArrayContent(Data(10));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = SmallUploadApiFactory.Limit + 1;
        await client.PutAsync(ContentUrl(fileCode, 1, "lớn.bin"), content, Ct).ExpectProblemAsync(413, "content", "content.too-large");
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task An_import_part_over_the_limit_is_refused_naming_the_part_and_stores_nothing()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var before = factory.StoreDigest();
        var manifest = new
        {
            file = RecordFile(fondsCode, "01.LON"),
            documents = new object[] { new { document = new { subject = "Tờ trình" }, contents = new object[] { new { part = "p1", fileName = "lớn.bin" } } } },
        };
        await client.PostAsync($"{ApiFactory.Prefix}/record-files/import", ImportBody(manifest, ("p1", Data((int)SmallUploadApiFactory.Limit + 1), "application/octet-stream")), Ct)
            .ExpectProblemAsync(413, "parts[p1]", "content.too-large");
        Assert.Equal(before, factory.StoreDigest());
        Assert.Equal(0, factory.SpoolFiles());

        // Exactly the limit is accepted.
        await client.PostAsync($"{ApiFactory.Prefix}/record-files/import", ImportBody(manifest, ("p1", Data((int)SmallUploadApiFactory.Limit), "application/octet-stream")), Ct).ExpectAsync(201);
    }

    [Fact]
    public async Task Path_like_and_bad_file_names_are_refused_with_422()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var before = factory.StoreDigest();
        var baseUrl = $"{FileUrl(fileCode)}/documents/1/contents/";
        await client.PutAsync(baseUrl + "..%2F..%2Fetc%2Fpasswd", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "fileName", "file-name.path");
        await client.PutAsync(baseUrl + "a%5Cb.pdf", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "fileName", "file-name.path");
        await client.PutAsync(baseUrl + "%20padded.pdf", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "fileName", "file-name.edges");
        await client.PutAsync(baseUrl + "tab%09.pdf", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "fileName");
        await client.PutAsync(baseUrl + "ok.bin?sha256=abc", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "sha256", "content.sha256-format");
        await client.PutAsync(baseUrl + "ok.bin?sha256=" + new string('0', 64), Bytes([1, 2, 3]), Ct).ExpectProblemAsync(422, "sha256", "content.sha256-mismatch");
        await client.PutAsync($"{FileUrl(fileCode)}/documents/7/contents/ok.bin", Bytes([1, 2, 3]), Ct).ExpectProblemAsync(404, "document");
        Assert.Equal(before, factory.StoreDigest());
        Assert.Equal(0, factory.SpoolFiles());
    }

    [Fact]
    public async Task A_form_upload_is_refused_with_415()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var before = factory.StoreDigest();
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "a.pdf" } };
        await client.PutAsync(ContentUrl(fileCode, 1, "a.pdf"), form, Ct).ExpectProblemAsync(415, "Content-Type", "media-type.raw-body-required");
        Assert.Equal(before, factory.StoreDigest());
    }

    [Fact]
    public async Task Content_is_versioned_replaced_and_removed()
    {
        var (client, fileCode) = await FileWithDocumentAsync();
        var url = ContentUrl(fileCode, 1, "Tờ trình.txt");
        var v3 = await client.PutAsync(url, Bytes("bản một"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        Assert.Equal("text/plain", (string?)v3["documents"]![0]!["contents"]![0]!["mediaType"]);
        await client.PutAsync(url, Bytes("bản hai"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        Assert.Equal("bản hai"u8.ToArray(), await client.GetByteArrayAsync(url, Ct));
        Assert.Equal("bản một"u8.ToArray(), await client.GetByteArrayAsync(url + "?version=3", Ct));
        await client.DeleteAsync(url, Ct).ExpectAsync(200);
        await client.GetAsync(url, Ct).ExpectProblemAsync(404, "content");
        Assert.Equal("bản hai"u8.ToArray(), await client.GetByteArrayAsync(url + "?version=4", Ct));
    }

    /// <summary>A stream that cannot seek or report its length (so the client sends it chunked).</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
