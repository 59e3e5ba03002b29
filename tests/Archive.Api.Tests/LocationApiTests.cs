using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Physical locations over HTTP (issue #18 item 1): storage rooms, <c>PUT /record-files/{code}/location</c> and
/// <c>…/carrier</c>, find by box, box labels and the location report — 422 naming the field and rule, 404 and 403 as for
/// other writes, Secret files invisible without clearance, moves audited from → to.
/// </summary>
public sealed class LocationApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_file_is_placed_moved_and_shown_and_a_room_of_another_agency_or_a_bad_number_is_refused_by_field_and_rule()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var (otherAgency, _) = await SeedAsync(admin, "Sở Nội vụ");
        var fileCode = await CreateRecordFileAsync(admin, fondsCode, "2.TCCB");
        var clerk = factory.CreateClientFor("archivist", [agencyId]);
        var room = "K-" + agencyId.Replace(".", string.Empty, StringComparison.Ordinal);
        var otherRoom = "K-" + otherAgency.Replace(".", string.Empty, StringComparison.Ordinal);
        var created = await clerk.PostAsync($"{P}/storage-rooms", Json(new { code = room, name = "Kho lưu trữ tầng 2", agencyId, address = "Hà Nội" }), Ct).ExpectAsync(201);
        Assert.Equal(agencyId, (string?)created["agencyId"]);
        await clerk.PostAsync($"{P}/storage-rooms", Json(new { code = otherRoom, name = "Kho", agencyId = otherAgency }), Ct).ExpectProblemAsync(403, rule: "scope.agency");
        await admin.PostAsync($"{P}/storage-rooms", Json(new { code = otherRoom, name = "Kho Sở Nội vụ", agencyId = otherAgency }), Ct).ExpectAsync(201);
        await clerk.PostAsync($"{P}/storage-rooms", Json(new { code = "bad code", name = "Kho", agencyId }), Ct).ExpectProblemAsync(422, "code", "storage-room.code-format");
        Assert.Equal(room, (string?)(await clerk.GetAsync($"{P}/storage-rooms/{room}", Ct).ExpectAsync(200))["code"]);
        await clerk.GetAsync($"{P}/storage-rooms/NO-SUCH-ROOM", Ct).ExpectProblemAsync(404);

        var placed = await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = room, shelf = "03", compartment = "2", boxNumber = "012", positionInBox = 4 }), Ct).ExpectAsync(200);
        Assert.Equal("12", (string?)placed["location"]!["boxNumber"]);
        Assert.Equal(4, (int?)placed["location"]!["positionInBox"]);
        var read = await clerk.GetAsync($"{P}/record-files/{fileCode}", Ct).ExpectAsync(200);
        Assert.Equal(room, (string?)read["location"]!["roomCode"]);
        Assert.Null(read["carrier"]);

        // Refusals name the field and the rule, in Vietnamese by default, and change nothing.
        var version = (int)read["version"]!;
        var custody = await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = otherRoom, boxNumber = "1" }), Ct).ExpectProblemAsync(422, "roomCode", "location.room-custody");
        Assert.Contains("cơ quan đang quản lý phông", (string?)custody["errors"]![0]!["message"], StringComparison.Ordinal);
        await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = "NO-SUCH-ROOM", boxNumber = "1" }), Ct).ExpectProblemAsync(422, "roomCode", "location.room-unknown");
        await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = room, boxNumber = "-1" }), Ct).ExpectProblemAsync(422, "boxNumber", "location.number-positive");
        await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = room, boxNumber = "1", positionInBox = 0 }), Ct).ExpectProblemAsync(422, "positionInBox", "location.position-range");
        await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = room, boxNumber = "1", shelf = new string('1', 21) }), Ct).ExpectProblemAsync(422, "shelf", "max-length");
        await clerk.PutAsync($"{P}/record-files/{fileCode}/location", Json(new { roomCode = room }), Ct).ExpectProblemAsync(400, "boxNumber", "json.required");
        await clerk.PutAsync($"{P}/record-files/{fileCode}/carrier", Json(new { medium = " ", sealNumber = new string('1', 51) }), Ct).ExpectProblemAsync(422, "sealNumber", "max-length");
        Assert.Equal(version, (int)(await clerk.GetAsync($"{P}/record-files/{fileCode}", Ct).ExpectAsync(200))["version"]!);

        // A move with If-Match, audited with where it was and where it is; the carrier too; then taken off.
        var moving = new HttpRequestMessage(HttpMethod.Put, $"{P}/record-files/{fileCode}/location") { Content = Json(new { roomCode = room, shelf = "04", boxNumber = "13" }) };
        moving.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"v{version}\""));
        var moved = await clerk.SendAsync(moving, Ct).ExpectAsync(200);
        Assert.Equal("13", (string?)moved["location"]!["boxNumber"]);
        var stale = new HttpRequestMessage(HttpMethod.Put, $"{P}/record-files/{fileCode}/location") { Content = Json(new { roomCode = room, boxNumber = "14" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"v{version}\""));
        await clerk.SendAsync(stale, Ct).ExpectProblemAsync(412);
        var carrier = await clerk.PutAsync($"{P}/record-files/{fileCode}/carrier", Json(new { medium = "Ổ cứng di động", deviceLabel = "HDD-07", sealNumber = "NP-14" }), Ct).ExpectAsync(200);
        Assert.Equal("NP-14", (string?)carrier["carrier"]!["sealNumber"]);
        using var auditor = factory.CreateClientFor("supervisor", clearance: true);
        var changes = await auditor.GetAsync($"{P}/audit/records?action=change&objectId={Uri.EscapeDataString(fileCode)}&pageSize=100", Ct).ExpectAsync(200);
        var details = changes["items"]!.AsArray().Select(i => (string?)i!["detail"]).ToList();
        Assert.Contains(details, d => d!.EndsWith($"Move record file {fileCode} from room {room}, shelf 03, compartment 2, box 12, position 4 to room {room}, shelf 04, box 13", StringComparison.Ordinal));
        Assert.Contains(details, d => d!.EndsWith($"Set the carrier of record file {fileCode} from (no carrier) to Ổ cứng di động, device HDD-07, seal NP-14", StringComparison.Ordinal));
        Assert.Null((await clerk.DeleteAsync($"{P}/record-files/{fileCode}/location", Ct).ExpectAsync(200))["location"]);
        Assert.Null((await clerk.DeleteAsync($"{P}/record-files/{fileCode}/carrier", Ct).ExpectAsync(200))["carrier"]);
    }

    [Fact]
    public async Task Moves_answer_404_and_403_as_other_writes_and_find_by_box_labels_and_report_never_show_a_secret_file_without_clearance()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var (otherAgency, _) = await SeedAsync(admin, "Sở Nội vụ");
        var room = "K-" + agencyId.Replace(".", string.Empty, StringComparison.Ordinal);
        await admin.PostAsync($"{P}/storage-rooms", Json(new { code = room, name = "Kho lưu trữ", agencyId }), Ct).ExpectAsync(201);
        var first = await CreateRecordFileAsync(admin, fondsCode, "1.TCCB");
        var second = await CreateRecordFileAsync(admin, fondsCode, "2.TCCB", year: 2016, maintenance: "permanent");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "3.MAT", rights: "Secret");
        await admin.PutAsync($"{P}/record-files/{first}/location", Json(new { roomCode = room, shelf = "1", boxNumber = "5", positionInBox = 1 }), Ct).ExpectAsync(200);
        await admin.PutAsync($"{P}/record-files/{second}/location", Json(new { roomCode = room, shelf = "1", boxNumber = "5", positionInBox = 2 }), Ct).ExpectAsync(200);
        await admin.PutAsync($"{P}/record-files/{secret}/location", Json(new { roomCode = room, shelf = "1", boxNumber = "5", positionInBox = 3 }), Ct).ExpectAsync(200);

        var clerk = factory.CreateClientFor("archivist", [agencyId]);
        var other = factory.CreateClientFor("archivist", [otherAgency]);
        var supervisor = factory.CreateClientFor("supervisor", [otherAgency]);
        var body = Json(new { roomCode = room, boxNumber = "6" });
        var hidden = await clerk.PutAsync($"{P}/record-files/{secret}/location", body, Ct).ExpectProblemAsync(404);
        var missing = await clerk.PutAsync($"{P}/record-files/{secret}X/location", Json(new { roomCode = room, boxNumber = "6" }), Ct).ExpectProblemAsync(404);
        Assert.Equal(((string?)hidden["detail"])!.Replace(secret, "#", StringComparison.Ordinal), ((string?)missing["detail"])!.Replace(secret + "X", "#", StringComparison.Ordinal));
        await other.PutAsync($"{P}/record-files/{first}/location", Json(new { roomCode = room, boxNumber = "6" }), Ct).ExpectProblemAsync(404);
        await supervisor.PutAsync($"{P}/record-files/{first}/location", Json(new { roomCode = room, boxNumber = "6" }), Ct).ExpectProblemAsync(403);
        await factory.CreateClientFor("researcher").PutAsync($"{P}/record-files/{first}/location", Json(new { roomCode = room, boxNumber = "6" }), Ct).ExpectProblemAsync(403, rule: "authorization.role");

        var box = (await clerk.GetAsync($"{P}/storage-rooms/{room}/boxes/5", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal([first, second], box.Select(f => (string?)f!["fileCode"]));
        var boxes = (await clerk.GetAsync($"{P}/storage-rooms/{room}/boxes", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal(2, (int)Assert.Single(boxes)!["files"]!);
        var cleared = factory.CreateClientFor("archivist", [agencyId], clearance: true);
        Assert.Equal(3, (int)(await cleared.GetAsync($"{P}/storage-rooms/{room}/boxes", Ct).ExpectAsync(200)).AsArray()[0]!["files"]!);
        Assert.Empty((await other.GetAsync($"{P}/storage-rooms/{room}/boxes/5", Ct).ExpectAsync(200)).AsArray());
        await clerk.GetAsync($"{P}/storage-rooms/{room}/boxes/0", Ct).ExpectProblemAsync(422, "boxNumber", "location.number-positive");
        await clerk.GetAsync($"{P}/storage-rooms/NO-SUCH-ROOM/boxes", Ct).ExpectProblemAsync(404);

        using (var labels = await clerk.GetAsync($"{P}/storage-rooms/{room}/labels", Ct))
        {
            Assert.Equal(200, (int)labels.StatusCode);
            Assert.Equal(("1", "2"), (labels.Headers.GetValues("Archive-Location-Boxes").Single(), labels.Headers.GetValues("Archive-Location-Files").Single()));
            using var word = WordprocessingDocument.Open(new MemoryStream(await labels.Content.ReadAsByteArrayAsync(Ct)), false);
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("Từ hồ sơ số: 1.TCCB đến hồ sơ số: 2.TCCB", text, StringComparison.Ordinal);
            Assert.DoesNotContain("3.MAT", text, StringComparison.Ordinal);
        }

        await clerk.GetAsync($"{P}/storage-rooms/{room}/labels?box=5&box=9", Ct).ExpectProblemAsync(422, "box[1]", "location.box-empty");
        foreach (var format in new[] { "xlsx", "docx" })
        {
            using var report = await clerk.GetAsync($"{P}/storage-rooms/{room}/report?format={format}", Ct);
            Assert.Equal(200, (int)report.StatusCode);
            Assert.Equal("2", report.Headers.GetValues("Archive-Location-Files").Single());
            using OpenXmlPackage package = format == "xlsx"
                ? SpreadsheetDocument.Open(new MemoryStream(await report.Content.ReadAsByteArrayAsync(Ct)), false)
                : WordprocessingDocument.Open(new MemoryStream(await report.Content.ReadAsByteArrayAsync(Ct)), false);
            Assert.Empty(new OpenXmlValidator().Validate(package, Ct));
        }

        await clerk.GetAsync($"{P}/storage-rooms/{room}/report?format=pdf", Ct).ExpectProblemAsync(400, "format", "location.format");
        using var auditor = factory.CreateClientFor("supervisor", clearance: true);
        var exports = await auditor.GetAsync($"{P}/audit/records?action=package.export&objectId={room}", Ct).ExpectAsync(200);
        Assert.Equal(3, exports["items"]!.AsArray().Count); // labels, report xlsx, report docx
    }
}
