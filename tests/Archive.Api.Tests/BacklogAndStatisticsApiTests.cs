using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// The backlog register (<c>/backlog</c>) and the statistics (<c>/statistics</c>, <c>/statistics/report</c>) over HTTP
/// (issue #18 items 3 and 2): refusals name the field and rule and change nothing, agency scope, Secret files neither
/// linked nor counted for a caller without clearance, statistics that agree with the catalogue.
/// </summary>
public sealed class BacklogAndStatisticsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    private static object Batch(string agencyId, string fondsCode, string id, decimal metres = 8.5m) => new
    {
        id,
        agencyId,
        sourceAgency = "Phòng Hành chính (kho cũ)",
        fondsCode,
        fromYear = 2001,
        toYear = 2010,
        shelfMetres = metres,
        boxes = 70,
        bundles = 5,
        condition = "Damaged",
        location = "Kho 2, dãy B",
    };

    [Fact]
    public async Task A_batch_is_registered_processed_forward_and_linked_within_its_agency_and_bad_input_names_the_field()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var (otherAgency, _) = await SeedAsync(admin, "Sở Tài chính");
        var clerk = factory.CreateClientFor("archivist", [agencyId]);
        var other = factory.CreateClientFor("archivist", [otherAgency]);
        var id = "BL-" + agencyId.Replace(".", string.Empty, StringComparison.Ordinal);

        // Every broken rule named (422, errors[field]), in Vietnamese by default; nothing stored.
        var bad = await clerk.PostAsync($"{P}/backlog", Json(new { id, agencyId, sourceAgency = "x", fromYear = 2010, toYear = 2001, shelfMetres = -1, boxes = -3, bundles = 0 }), Ct)
            .ExpectProblemAsync(422, "shelfMetres", "backlog.negative");
        var fields = bad["errors"]!.AsArray().Select(e => ((string?)e!["field"], (string?)e["rule"])).ToList();
        Assert.Contains(("boxes", "backlog.negative"), fields);
        Assert.Contains(("toYear", "backlog.years"), fields);
        Assert.Contains("không được là số âm", (string?)bad["errors"]!.AsArray().First(e => (string?)e!["field"] == "shelfMetres")!["message"], StringComparison.Ordinal);
        await clerk.GetAsync($"{P}/backlog/{id}", Ct).ExpectProblemAsync(404);

        // Another agency's archivist may neither register for it nor see it.
        await other.PostAsync($"{P}/backlog", Json(Batch(agencyId, fondsCode, id)), Ct).ExpectProblemAsync(403);
        using (var created = await clerk.PostAsync($"{P}/backlog", Json(Batch(agencyId, fondsCode, id)), Ct))
        {
            Assert.Equal(201, (int)created.StatusCode);
            Assert.Equal("\"v1\"", created.Headers.ETag!.ToString());
            var body = await created.ReadJsonAsync();
            Assert.Equal(("NotProcessed", 8.5m, "Damaged"), ((string?)body["status"], (decimal)body["remainingMetres"]!, (string?)body["condition"]));
        }

        await other.GetAsync($"{P}/backlog/{id}", Ct).ExpectProblemAsync(404);
        Assert.Empty((await other.GetAsync($"{P}/backlog?agencyId={agencyId}", Ct).ExpectAsync(200))["items"]!.AsArray());
        Assert.Single((await clerk.GetAsync($"{P}/backlog?agencyId={agencyId}&status=NotProcessed", Ct).ExpectAsync(200))["items"]!.AsArray());
        await clerk.GetAsync($"{P}/backlog?status=Lost", Ct).ExpectProblemAsync(400, "status");

        // Processing moves forward only; progress never back.
        var started = await clerk.PostAsync($"{P}/backlog/{id}/status", Json(new { status = "InProgress", processedMetres = 2.0m }), Ct).ExpectAsync(200);
        Assert.Equal(6.5m, (decimal)started["remainingMetres"]!);
        await clerk.PostAsync($"{P}/backlog/{id}/status", Json(new { status = "NotProcessed" }), Ct).ExpectProblemAsync(422, "status", "backlog.status-backward");
        await clerk.PostAsync($"{P}/backlog/{id}/status", Json(new { status = "InProgress", processedMetres = 1.0m }), Ct).ExpectProblemAsync(422, "processedMetres", "backlog.processed-metres");
        await other.PostAsync($"{P}/backlog/{id}/status", Json(new { status = "Processed" }), Ct).ExpectProblemAsync(404);

        // A Secret file is refused exactly as a missing one.
        var file = await CreateRecordFileAsync(admin, fondsCode, "1.CL");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "2.MAT", rights: "Secret");
        var hidden = await clerk.PostAsync($"{P}/backlog/{id}/files", Json(new { fileCodes = new[] { file, secret } }), Ct).ExpectProblemAsync(422, "fileCodes[1]", "record-file.not-found");
        var missing = await clerk.PostAsync($"{P}/backlog/{id}/files", Json(new { fileCodes = new[] { file, secret + "X" } }), Ct).ExpectProblemAsync(422, "fileCodes[1]", "record-file.not-found");
        Assert.Equal(hidden["errors"]!.ToJsonString().Replace(secret, "C", StringComparison.Ordinal), missing["errors"]!.ToJsonString().Replace(secret + "X", "C", StringComparison.Ordinal));
        var linked = await clerk.PostAsync($"{P}/backlog/{id}/files", Json(new { fileCodes = new[] { file } }), Ct).ExpectAsync(200);
        Assert.Equal([file], linked["fileCodes"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(3, (int)linked["version"]!);
    }

    [Fact]
    public async Task Statistics_agree_with_the_catalogue_count_no_secret_file_without_clearance_and_come_as_a_valid_xlsx()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        await CreateRecordFileAsync(admin, fondsCode, "1.TK");
        await CreateRecordFileAsync(admin, fondsCode, "2.TK", maintenance: "permanent");
        await CreateRecordFileAsync(admin, fondsCode, "3.MAT", rights: "Secret");
        await CreateRecordFileAsync(admin, fondsCode, "4.TK", year: 2016);
        await admin.PostAsync($"{P}/backlog", Json(Batch(agencyId, fondsCode, "BL-S-" + agencyId.Replace(".", string.Empty, StringComparison.Ordinal), 3m)), Ct).ExpectAsync(201);
        var clerk = factory.CreateClientFor("archivist", [agencyId]);

        var s = await clerk.GetAsync($"{P}/statistics?fondsCode={fondsCode}&year=2015", Ct).ExpectAsync(200);
        using var catalogue = await clerk.GetAsync($"{P}/fonds/{fondsCode}/catalogue?year=2015&format=csv", Ct);
        Assert.Equal(catalogue.Headers.GetValues("Archive-Catalogue-Files").Single(), ((long)s["totals"]!["files"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(catalogue.Headers.GetValues("Archive-Catalogue-Pages").Single(), ((long)s["totals"]!["pages"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, (long)s["totals"]!["files"]!); // the Secret file is not counted
        Assert.DoesNotContain(s["byAccess"]!.AsArray(), r => (string?)r!["key"] == "Secret");
        Assert.Equal(1, (long)s["byRetention"]!.AsArray().Single(r => (string?)r!["key"] == "Permanent")!["counts"]!["files"]!);
        Assert.Equal(0, (int)s["backlog"]!["batches"]!); // the batch's years (2001–2010) do not include 2015
        var whole = await clerk.GetAsync($"{P}/statistics?fondsCode={fondsCode}", Ct).ExpectAsync(200);
        Assert.Equal((1, 3m), ((int)whole["backlog"]!["batches"]!, (decimal)whole["backlog"]!["remainingMetres"]!));

        var cleared = factory.CreateClientFor("archivist", [agencyId], clearance: true);
        Assert.Equal(3, (long)(await cleared.GetAsync($"{P}/statistics?fondsCode={fondsCode}&year=2015", Ct).ExpectAsync(200))["totals"]!["files"]!);

        // Another agency's clerk counts nothing of these (not accessioned), not even the backlog.
        var (otherAgency, _) = await SeedAsync(admin, "Sở Xây dựng");
        var stranger = await factory.CreateClientFor("archivist", [otherAgency]).GetAsync($"{P}/statistics?fondsCode={fondsCode}", Ct).ExpectAsync(200);
        Assert.Equal((0L, 0), ((long)stranger["totals"]!["files"]!, (int)stranger["backlog"]!["batches"]!));

        // Bad filters name the field and rule.
        await clerk.GetAsync($"{P}/statistics?year=99", Ct).ExpectProblemAsync(422, "year", "statistics.year-range");
        await clerk.GetAsync($"{P}/statistics?from=2020-01-01&to=2019-01-01", Ct).ExpectProblemAsync(422, "to", "statistics.period");
        await clerk.GetAsync($"{P}/statistics?fondsCode=P-NONE", Ct).ExpectProblemAsync(422, "fondsCode", "statistics.fonds-unknown");

        using var report = await clerk.GetAsync($"{P}/statistics/report?fondsCode={fondsCode}", Ct);
        Assert.Equal(200, (int)report.StatusCode);
        Assert.Equal("3", report.Headers.GetValues("Archive-Statistics-Files").Single());
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report.Content.Headers.ContentType?.MediaType);
        using var book = SpreadsheetDocument.Open(new MemoryStream(await report.Content.ReadAsByteArrayAsync(Ct)), false);
        Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
        Assert.Equal(11, book.WorkbookPart!.WorksheetParts.Count());
    }
}
