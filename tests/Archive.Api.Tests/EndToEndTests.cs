using Archive.Testing.Support;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>The main flow over HTTP, on the standalone host's embedded defaults.</summary>
public sealed class EndToEndTests(ApiFactory factory) : EndToEndTestsBase(factory), IClassFixture<ApiFactory>;

/// <summary>The same flow with the MinIO/S3 adapter configured, against the test S3 server (Object Lock bucket).</summary>
public sealed class MinioEndToEndTests(MinioApiFactory factory) : EndToEndTestsBase(factory), IClassFixture<MinioApiFactory>;

/// <summary>The main flow over HTTP; subclassed once per storage configuration.</summary>
public abstract class EndToEndTestsBase(ApiFactory factory)
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Agency_fonds_file_pdf_search_without_diacritics_due_list_close_then_refused()
    {
        factory.RequireServer();
        var client = factory.CreateClient();

        // Agency and fonds.
        var agencyId = NewAgencyId();
        var agency = await client.PostAsync($"{P}/agencies", Json(new { id = agencyId, name = "Sở Nội vụ tỉnh Hà Giang" }), Ct).ExpectAsync(201);
        Assert.Equal(agencyId, (string?)agency["id"]);
        Assert.Equal(1, (int)agency["version"]!);
        Assert.Equal(ApiFactory.AdminKeyName, (string?)agency["modifiedBy"]);
        var fondsCode = "P-HG-" + agencyId[^3..];
        await client.PostAsync($"{P}/fonds", Json(new { code = fondsCode, name = "Phông Sở Nội vụ tỉnh Hà Giang", agencyId }), Ct).ExpectAsync(201);

        // Record file: 5-year retention, closed in 2015 → due for appraisal from 2020.
        using (var created = await client.PostAsync($"{P}/record-files", Json(new
        {
            fondsCode,
            fileCatalog = 2015,
            fileNotation = "03.TCCB",
            title = "Hồ sơ tuyển dụng công chức năm 2015",
            maintenance = "5 năm",
            startDate = "2015-02-01",
            endDate = "2015-11-30",
            keywords = new[] { "tuyển dụng", "công chức" },
        }), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("\"v1\"", created.Headers.ETag?.ToString());
            Assert.Equal($"{P}/record-files/{Uri.EscapeDataString(agencyId + ".2015.03.TCCB")}", created.Headers.Location?.ToString());
        }

        var fileCode = agencyId + ".2015.03.TCCB";
        var file = await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200);
        Assert.Equal("5y", (string?)file["maintenance"]);
        Assert.Equal("5 năm", (string?)file["maintenanceLabel"]);

        // A document with a real PDF (Vietnamese text layer).
        await client.PostAsync($"{FileUrl(fileCode)}/documents", Json(new
        {
            typeName = "Quyết định",
            codeNumber = "05",
            codeNotation = "QĐ-SNV",
            issuedDate = "2015-03-05",
            organName = "Sở Nội vụ tỉnh Hà Giang",
            subject = "Về việc phê duyệt kết quả tuyển dụng công chức",
            signerPosition = "Giám đốc",
            signerFullName = "Nguyễn Văn Hùng",
        }), Ct).ExpectAsync(201);
        var pdf = TestPdf.Create("Quyết định phê duyệt kết quả tuyển dụng công chức huyện Đồng Văn", "Danh sách thí sinh trúng tuyển: Lường Thị Mỷ");
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var uploaded = await client.PutAsync($"{ContentUrl(fileCode, 1, "Quyết định 05.pdf")}?sha256={sha}", Bytes(pdf, "application/pdf"), Ct).ExpectAsync(200);
        var content = uploaded["documents"]![0]!["contents"]![0]!;
        Assert.Equal("Quyết định 05.pdf", (string?)content["name"]);
        Assert.Equal(sha, (string?)content["sha256"]);
        Assert.Equal("Extracted", (string?)content["textStatus"]);
        Assert.Equal(2, (int)uploaded["documents"]![0]!["pageAmount"]!);
        Assert.Equal(3, (int)uploaded["version"]!);

        // Download: bytes, ETag = SHA-256.
        using (var download = await client.GetAsync(ContentUrl(fileCode, 1, "Quyết định 05.pdf"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal($"\"{sha}\"", download.Headers.ETag?.ToString());
            Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync(Ct));
        }

        // Search without diacritics finds the document by the text inside the PDF, and by its trích yếu.
        var hits = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("luong thi my dong van")}&consistent=true&highlight=true", Ct).ExpectAsync(200);
        Assert.Contains(hits["hits"]!.AsArray(), h => (string?)h!["id"] == fileCode + "/1");
        var bySubject = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("phe duyet ket qua tuyen dung")}&filter=agency:{agencyId}&facet=type&consistent=true", Ct).ExpectAsync(200);
        var hit = bySubject["hits"]!.AsArray().First(h => (string?)h!["id"] == fileCode + "/1")!;
        Assert.Equal("Về việc phê duyệt kết quả tuyển dụng công chức", (string?)hit["subject"]);
        Assert.Equal("Document", (string?)hit["kind"]);
        Assert.Contains(bySubject["facets"]!["type"]!.AsArray(), f => (string?)f!["value"] == "Quyết định");

        // Retention due list (appraisal).
        var due = await client.GetAsync($"{P}/retention/due/appraisal?agencyId={agencyId}&asOf=2021-01-01", Ct).ExpectAsync(200);
        var item = due["due"]!.AsArray().Single()!;
        Assert.Equal(fileCode, (string?)item["fileCode"]);
        Assert.Equal(2020, (int)item["dueYear"]!);
        Assert.Equal(1, (int)item["docTotal"]!);
        var notYet = await client.GetAsync($"{P}/retention/due/appraisal?agencyId={agencyId}&asOf=2019-12-31", Ct).ExpectAsync(200);
        Assert.Empty(notYet["due"]!.AsArray());

        // History: who, when, why.
        var history = (await client.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal(3, history.Count);
        Assert.All(history, v => Assert.Equal(ApiFactory.AdminKeyName, (string?)v!["userName"]));
        var v1 = await client.GetAsync($"{FileUrl(fileCode)}/versions/1", Ct).ExpectAsync(200);
        Assert.Empty(v1["documents"]!.AsArray());

        // Close the fonds; a new record file is refused with 409, naming the rule.
        var closed = await client.PostAsync($"{P}/fonds/{fondsCode}/close", Json(new { closedOn = "2025-06-30", reason = "Sáp nhập theo Nghị quyết của Ủy ban Thường vụ Quốc hội" }), Ct).ExpectAsync(200);
        Assert.Equal("Closed", (string?)closed["status"]);
        var before = factory.StoreDigest();
        await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "04.TCCB")), Ct)
            .ExpectProblemAsync(409, "fonds", "fonds.closed");
        Assert.Equal(before, factory.StoreDigest());

        // Fixity of the record file.
        var fixity = await client.GetAsync($"{FileUrl(fileCode)}/fixity", Ct).ExpectAsync(200);
        Assert.True((bool)fixity["isValid"]!);
        Assert.True((int)fixity["filesChecked"]! >= 1);
    }

    [Fact]
    public async Task Secret_record_files_are_hidden_from_callers_without_clearance()
    {
        factory.RequireServer();
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var secret = await CreateRecordFileAsync(client, fondsCode, "09.MAT", rights: "Secret");

        // The default client (administrator with clearance) created it; an administrator without clearance sees nothing.
        client = factory.CreateClientFor("administrator");
        await client.GetAsync(FileUrl(secret), Ct).ExpectProblemAsync(404);
        var list = await client.GetAsync($"{P}/record-files?agencyId={agencyId}", Ct).ExpectAsync(200);
        Assert.Empty(list["items"]!.AsArray());
        var search = await client.GetAsync($"{P}/search?filter=agency:{agencyId}&consistent=true", Ct).ExpectAsync(200);
        Assert.Equal(0, (long)search["total"]!);
    }

    [Fact]
    public async Task Lists_filter_by_fonds_and_status_and_page()
    {
        factory.RequireServer();
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        foreach (var n in new[] { "01.VP", "02.VP", "03.VP" })
        {
            await CreateRecordFileAsync(client, fondsCode, n);
        }

        var page1 = await client.GetAsync($"{P}/record-files?fondsCode={fondsCode}&status=finished&pageSize=2", Ct).ExpectAsync(200);
        Assert.Equal(2, page1["items"]!.AsArray().Count);
        var after = (string)page1["nextAfter"]!;
        var page2 = await client.GetAsync($"{P}/record-files?fondsCode={fondsCode}&pageSize=2&after={Uri.EscapeDataString(after)}", Ct).ExpectAsync(200);
        Assert.Single(page2["items"]!.AsArray());
        Assert.Null(page2["nextAfter"]);
        var unfinished = await client.GetAsync($"{P}/record-files?agencyId={agencyId}&status=unfinished", Ct).ExpectAsync(200);
        Assert.Empty(unfinished["items"]!.AsArray());
        var agencies = (await client.GetAsync($"{P}/agencies", Ct).ExpectAsync(200)).AsArray();
        Assert.Contains(agencies, a => (string?)a!["id"] == agencyId);
        var fonds = (await client.GetAsync($"{P}/fonds", Ct).ExpectAsync(200)).AsArray();
        Assert.Contains(fonds, f => (string?)f!["code"] == fondsCode);
    }

    [Fact]
    public async Task Weeding_legal_hold_and_transfer_due_list()
    {
        factory.RequireServer();
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var permanent = await CreateRecordFileAsync(client, fondsCode, "01.QD", 2010, "permanent");
        var weeded = await CreateRecordFileAsync(client, fondsCode, "02.TK", 2010, "permanent");
        await client.PostAsync($"{FileUrl(weeded)}/non-archival", Json(new { kind = "ReferenceCopy", reason = "Bản sao trùng" }), Ct).ExpectAsync(200);
        var nonArchival = (await client.GetAsync($"{P}/non-archival?agencyId={agencyId}", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal(weeded, (string?)nonArchival.Single()!["fileCode"]);

        var transfer = await client.GetAsync($"{P}/retention/due/transfer?agencyId={agencyId}&asOf=2020-01-01", Ct).ExpectAsync(200);
        Assert.Contains(transfer["due"]!.AsArray(), i => (string?)i!["fileCode"] == permanent);

        await client.PostAsync($"{FileUrl(permanent)}/legal-hold", Json(new { hold = true, reason = "Quyết định tạm giữ số 12/QĐ-TTr" }), Ct).ExpectAsync(200);
        var held = await client.GetAsync($"{P}/retention/due/transfer?agencyId={agencyId}&asOf=2020-01-01", Ct).ExpectAsync(200);
        Assert.Equal(permanent, (string?)held["withheld"]!.AsArray().Single()!["fileCode"]);

        // A held file refuses changes (409) and nothing changes.
        var before = factory.StoreDigest();
        await client.PostAsync($"{FileUrl(permanent)}/documents", Json(new { subject = "Thêm văn bản" }), Ct).ExpectProblemAsync(409, "record-file", "record-file.legal-hold");
        Assert.Equal(before, factory.StoreDigest());

        await client.PostAsync($"{FileUrl(weeded)}/non-archival/clear", Json(new { reason = "Xét lại: là bản chính" }), Ct).ExpectAsync(200);
        Assert.Empty((await client.GetAsync($"{P}/non-archival?agencyId={agencyId}", Ct).ExpectAsync(200)).AsArray());
    }

    [Fact]
    public async Task Retention_schedules_effective_save_and_csv_import()
    {
        factory.RequireServer();
        var client = factory.CreateClient();
        var (agencyId, _) = await SeedAsync(client);
        var defaults = await client.GetAsync($"{P}/retention/schedules/default", Ct).ExpectAsync(200);
        Assert.NotEmpty(defaults["items"]!.AsArray());
        await client.GetAsync($"{P}/agencies/{agencyId}/retention-schedule", Ct).ExpectProblemAsync(404);

        var json = new JsonObject
        {
            ["id"] = "rieng",
            ["title"] = "Bảng thời hạn lưu trữ riêng",
            ["items"] = new JsonArray(new JsonObject { ["code"] = "RIENG.01", ["title"] = "Hồ sơ hội nghị chuyên đề", ["retention"] = "20 năm" }),
        };
        var saved = await client.PutAsync($"{P}/agencies/{agencyId}/retention-schedule", RawJson(json.ToJsonString()), Ct).ExpectAsync(200);
        Assert.Equal(1, (int)saved["version"]!);
        var effective = await client.GetAsync($"{P}/agencies/{agencyId}/retention-schedule/effective", Ct).ExpectAsync(200);
        Assert.Contains(effective["items"]!.AsArray(), i => (string?)i!["code"] == "RIENG.01" && (string?)i["retention"] == "20y");

        // Replacing it needs If-Match (428), a stale one is 412, the current one works (CSV import).
        var csv = "mã,tên nhóm hồ sơ,thời hạn lưu trữ\nRIENG.02,Hồ sơ thi đua khen thưởng,Vĩnh viễn\n";
        await client.PutAsync($"{P}/agencies/{agencyId}/retention-schedule", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), Ct)
            .ExpectProblemAsync(428, "If-Match", "if-match.required");
        await client.PutWithIfMatch($"{P}/agencies/{agencyId}/retention-schedule", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), "\"v7\"")
            .ExpectProblemAsync(412);
        var imported = await client.PutWithIfMatch($"{P}/agencies/{agencyId}/retention-schedule", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), "\"v1\"").ExpectAsync(200);
        Assert.Equal(2, (int)imported["version"]!);
        Assert.Equal("permanent", (string?)imported["items"]![0]!["retention"]);
    }
}
