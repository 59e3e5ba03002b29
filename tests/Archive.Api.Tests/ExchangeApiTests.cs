using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Archive.Testing.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// The package exchange's HTTP contract: downloads that resume (Range, ETag, If-None-Match), uploads that resume
/// (Content-Range chunks from bytesDone), and every refusal a problem naming the field and rule, changing nothing.
/// </summary>
public sealed class ExchangeApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_package_download_resumes_with_Range_and_an_upload_resumes_from_bytesDone()
    {
        var admin = factory.CreateClient();
        var (agency, fonds) = await SeedAsync(admin, "Ủy ban nhân dân xã Đồng Tâm");
        var successor = NewAgencyId();
        await admin.PostAsync($"{P}/agencies", Json(new { id = successor, name = "Ủy ban nhân dân xã Đồng Tiến" }), Ct).ExpectAsync(201);
        var file = await CreateRecordFileAsync(admin, fonds, "01.VP", maintenance: "permanent");
        await admin.PostAsync($"{FileUrl(file)}/documents", Json(new { typeName = "Quyết định", subject = "Về việc thành lập tổ công tác", language = "vi" }), Ct).ExpectAsync(201);
        var pdf = TestPdf.Create("Quyết định thành lập tổ công tác sáp nhập xã Đồng Tâm");
        await admin.PutAsync(ContentUrl(file, 1, "qd.pdf"), Bytes(pdf, "application/pdf"), Ct).ExpectAsync(200);

        var started = await admin.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = successor }), Ct).ExpectAsync(202);
        var id = (string)started["id"]!;
        var job = await UntilAsync(admin, $"{P}/handovers/{id}", "completed");
        var sha = (string)job["packageSha256"]!;
        var length = (long)job["packageLength"]!;

        // Download in two ranges; the parts make the whole; the ETag is the SHA-256; If-None-Match answers 304.
        var url = $"{P}/handovers/{id}/package";
        byte[] first, rest;
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.Range = new RangeHeaderValue(0, 999);
            using var response = await admin.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"\"{sha}\"", response.Headers.ETag?.Tag);
            Assert.Equal(length, response.Content.Headers.ContentRange?.Length);
            first = await response.Content.ReadAsByteArrayAsync(Ct);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.Range = new RangeHeaderValue(1000, null);
            request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue($"\"{sha}\""));
            using var response = await admin.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            rest = await response.Content.ReadAsByteArrayAsync(Ct);
        }

        var package = first.Concat(rest).ToArray();
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(package)));
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\""));
            using var response = await admin.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        }

        // Upload in chunks: a chunk at the wrong offset and a malformed Content-Range are refused and change nothing.
        var opened = await admin.PostAsync($"{P}/handover-receipts", Json(new { agencyId = successor, length = package.Length, sha256 = sha }), Ct).ExpectAsync(201);
        var receipt = (string)opened["id"]!;
        var half = package.Length / 2;
        var afterFirst = await Chunk(admin, receipt, package, 0, half).ExpectAsync(200);
        Assert.Equal(half, (long)afterFirst["bytesDone"]!);
        Assert.Equal("uploading", (string?)afterFirst["state"]);
        await Chunk(admin, receipt, package, 10, half).ExpectProblemAsync(409, rule: "upload.offset");
        using (var bad = new HttpRequestMessage(HttpMethod.Put, $"{P}/handover-receipts/{receipt}/package") { Content = new ByteArrayContent([1, 2, 3]) })
        {
            bad.Content.Headers.TryAddWithoutValidation("Content-Range", "items 1-2");
            await admin.SendAsync(bad, Ct).ExpectProblemAsync(400, "Content-Range", "content-range.format");
        }

        Assert.Equal(half, (long)(await admin.GetAsync($"{P}/handover-receipts/{receipt}", Ct).ExpectAsync(200))["bytesDone"]!);
        await admin.PostAsync($"{P}/handover-receipts/{receipt}/accept", null, Ct).ExpectProblemAsync(409, rule: "receipt.state");
        await Chunk(admin, receipt, package, half, package.Length - half).ExpectAsync(200);
        var verified = await UntilAsync(admin, $"{P}/handover-receipts/{receipt}", "verified");
        Assert.Empty(verified["problems"]!.AsArray());
        Assert.Equal(agency, (string?)verified["fromAgencyId"]);
        Assert.Equal(file, (string?)verified["fileCodes"]!.AsArray().Single());
        await Chunk(admin, receipt, package, 0, 1).ExpectProblemAsync(409, rule: "upload.closed");
    }

    [Fact]
    public async Task Refusals_name_the_field_and_rule_and_respect_roles_and_agencies()
    {
        var admin = factory.CreateClient();
        var (agency, fonds) = await SeedAsync(admin, "Ủy ban nhân dân xã Yên Lạc");
        var other = NewAgencyId();
        await admin.PostAsync($"{P}/agencies", Json(new { id = other, name = "Ủy ban nhân dân xã Yên Đồng" }), Ct).ExpectAsync(201);

        await admin.PostAsync($"{P}/handovers", Json(new { }), Ct).ExpectProblemAsync(422, "fondsCode", "required");
        await admin.PostAsync($"{P}/handovers", Json(new { fondsCode = "P-NONE" }), Ct).ExpectProblemAsync(422, "fondsCode", "fonds.not-found");
        await admin.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds }), Ct).ExpectProblemAsync(422, "receivingAgencyId", "required");
        await admin.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = other, fileCodes = Array.Empty<string>() }), Ct).ExpectProblemAsync(422, "fileCodes", "handover.empty-selection");
        await admin.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = other, eventId = "NQ-NONE" }), Ct).ExpectProblemAsync(422, "eventId", "reorganisation.not-found");
        await admin.PostAsync($"{P}/handover-receipts", Json(new { agencyId = other }), Ct).ExpectProblemAsync(422, "length", "receipt.length-or-source");
        await admin.PostAsync($"{P}/handover-receipts", Json(new { agencyId = other, sourcePath = "/etc" }), Ct).ExpectProblemAsync(422, "sourcePath", "receipt.source-disabled");
        await admin.PostAsync($"{P}/handover-receipts", Json(new { agencyId = other, length = 10, sha256 = "abc" }), Ct).ExpectProblemAsync(422, "sha256", "sha256.format");
        await admin.PostAsync($"{P}/handover-receipts", Json(new { agencyId = "000.99.99.Z99", length = 10 }), Ct).ExpectProblemAsync(422, "agencyId", "agency.not-found");
        await admin.PostAsync($"{P}/transfers", Json(new { submittingAgencyId = agency }), Ct).ExpectProblemAsync(422, "archivesAgencyId", "required");
        await admin.PostAsync($"{P}/accessions", Json(new { agencyId = other, length = 10 }), Ct).ExpectAsync(201); // an administrator may open one

        // Roles and agencies: a researcher may not start a handover; a clerk of another agency may not hand this fonds
        // over, nor see the job (404, its existence is not revealed); a receipt is for the receiving agency's users.
        await factory.CreateClientFor("researcher").PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = other }), Ct).ExpectProblemAsync(403);
        var stranger = factory.CreateClientFor("archivist", [other]);
        await stranger.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = NewAgencyId() }), Ct).ExpectProblemAsync(403, "fondsCode", "scope.agency");
        var own = factory.CreateClientFor("archivist", [agency]);
        var job = await own.PostAsync($"{P}/handovers", Json(new { fondsCode = fonds, receivingAgencyId = other }), Ct).ExpectAsync(202);
        var id = (string)job["id"]!;
        var outsider = factory.CreateClientFor("archivist", [NewAgencyId()]); // never a literal: NewAgencyId's sequence (offset by the process id) once handed "000.00.02.G02" to this test's own agency
        await outsider.GetAsync($"{P}/handovers/{id}", Ct).ExpectProblemAsync(404);
        Assert.DoesNotContain((await outsider.GetAsync($"{P}/handovers", Ct).ExpectAsync(200)).AsArray(), j => (string?)j!["id"] == id);
        await own.GetAsync($"{P}/transfers/{id}", Ct).ExpectProblemAsync(404); // a handover is not a transfer
        await own.PostAsync($"{P}/handover-receipts", Json(new { agencyId = other, length = 10 }), Ct).ExpectProblemAsync(403, "agencyId", "scope.agency");
        await factory.CreateClientFor("archivist", [other]).PostAsync($"{P}/accessions", Json(new { agencyId = other, length = 10 }), Ct).ExpectProblemAsync(403);
        await UntilAsync(own, $"{P}/handovers/{id}", "completed");
        await own.GetAsync($"{P}/handovers/{id}/seal", Ct).ExpectProblemAsync(404); // no seal certificate configured: unsealed, and the job says so
        Assert.Contains("Unsealed", (string?)(await own.GetAsync($"{P}/handovers/{id}", Ct).ExpectAsync(200))["sealNote"], StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Chunk(HttpClient client, string receipt, byte[] package, long offset, long count)
    {
        var content = new ByteArrayContent(package, (int)offset, (int)Math.Min(count, package.Length - offset));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + count - 1, package.Length);
        return client.PutAsync($"{P}/handover-receipts/{receipt}/package", content, Ct);
    }

    private static async Task<JsonNode> UntilAsync(HttpClient client, string url, string state)
    {
        for (var i = 0; i < 600; i++)
        {
            var job = await client.GetAsync(url, Ct).ExpectAsync(200);
            if ((string?)job["state"] == state)
            {
                return job;
            }

            Assert.DoesNotContain((string?)job["state"], new[] { "failed", "rejected", "cancelled" });
            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"{url} did not reach {state}.");
    }
}
