using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Physical locations end to end (issue #18 item 1), <b>only through the client NSwag generates from the served OpenAPI
/// document</b> against a real <c>Archive.Server</c> process: a clerk registers its agency's storage room, places and
/// moves record files into boxes (the record file shows where it is, the audit trail says from where to where), records
/// the sealed device carrying a digitised copy, is refused a room of another agency by field and rule, finds the files
/// of a box, and prints box labels and the location report — valid Office files with Vietnamese headings — in which a
/// Secret file it is not cleared for never appears nor is counted.
/// </summary>
public sealed class LocationEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.82.H26";
    private const string OtherAgency = "000.00.83.H26";
    private const string Fonds = "P-TANLAP";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-location-" + Guid.NewGuid().ToString("N")[..8]);
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Rooms_moves_carrier_find_by_box_labels_and_report_through_the_generated_client_hide_the_secret_file_from_an_uncleared_clerk()
    {
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        _server = await ServerProcess.StartAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
        {
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__0__Clearance"] = "secret",
            ["Archive__Auth__ApiKeys__1__Name"] = "luu-tru-vien",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Archivist,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
        }, Ct);
        var admin = _server!.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = _server!.Client(clerkKey, TimeSpan.FromMinutes(2));

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Tân Lập" }, Ct);
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = OtherAgency, Name = "Ủy ban nhân dân xã Tân Hòa" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Tân Lập", AgencyId = Agency, Language = "vi" }, Ct);
        var budget = await FileAsync(admin, "1.TC", "Hồ sơ dự toán ngân sách xã năm 2015", "10y", Generated.AccessLevel.Public);
        var plan = await FileAsync(admin, "2.VP", "Hồ sơ kế hoạch phát triển kinh tế - xã hội năm 2015", "permanent", Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, "3.MAT", "Hồ sơ phương án phòng thủ dân sự", "permanent", Generated.AccessLevel.Secret);

        // The clerk registers its agency's room; a room of another agency is the administrator's to register.
        var room = await clerk.CreateStorageRoomAsync(new CreateStorageRoomRequest { Code = "TL-K1", Name = "Kho lưu trữ xã Tân Lập", AgencyId = Agency, Address = "Trụ sở UBND xã" }, Ct);
        Assert.Equal(Agency, room.AgencyId);
        var notOurs = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.CreateStorageRoomAsync(new CreateStorageRoomRequest { Code = "TH-K1", Name = "Kho xã Tân Hòa", AgencyId = OtherAgency }, Ct));
        Assert.Equal(403, notOurs.StatusCode);
        await admin.CreateStorageRoomAsync(new CreateStorageRoomRequest { Code = "TH-K1", Name = "Kho xã Tân Hòa", AgencyId = OtherAgency }, Ct);

        // Placing: the record file shows where it is; the Secret one is placed by the cleared administrator.
        var placed = await clerk.MoveRecordFileAsync(budget, null, new PhysicalLocationDto { RoomCode = "TL-K1", Shelf = "1", Compartment = "2", BoxNumber = "05", PositionInBox = 1 }, Ct);
        Assert.Equal(("TL-K1", "5", 1), (placed.Location!.RoomCode, placed.Location.BoxNumber, placed.Location.PositionInBox));
        await clerk.MoveRecordFileAsync(plan, null, new PhysicalLocationDto { RoomCode = "TL-K1", Shelf = "1", Compartment = "2", BoxNumber = "4" }, Ct);
        var moved = await clerk.MoveRecordFileAsync(plan, null, new PhysicalLocationDto { RoomCode = "TL-K1", Shelf = "1", Compartment = "2", BoxNumber = "5", PositionInBox = 2 }, Ct);
        Assert.Equal("5", (await clerk.GetRecordFileAsync(plan, Ct)).Location!.BoxNumber);
        await admin.MoveRecordFileAsync(secret, null, new PhysicalLocationDto { RoomCode = "TL-K1", Shelf = "1", Compartment = "2", BoxNumber = "5", PositionInBox = 3 }, Ct);
        var sealedCopy = await clerk.SetRecordFileCarrierAsync(budget, null, new DigitalCarrierDto { Medium = "Ổ cứng di động", DeviceLabel = "HDD-TL-01", SealNumber = "NP-2025/07" }, Ct);
        Assert.Equal("NP-2025/07", sealedCopy.Carrier!.SealNumber);

        // The statistics count the boxes the moves filled (#18 item 2 on item 1): "05" and "5" are one box; the Secret
        // file's box counts only for the cleared administrator (here the same box); metres = boxes x 0.1 m (default).
        var forClerk = await clerk.GetStatisticsAsync(Agency, null, null, null, null, Ct);
        Assert.Equal((2L, 1L, 0.1d), (forClerk.Totals.Files, forClerk.Totals.Boxes, Math.Round(forClerk.Totals.ShelfMetres, 6)));
        var forAdmin = await admin.GetStatisticsAsync(Agency, null, null, null, null, Ct);
        Assert.Equal((3L, 1L), (forAdmin.Totals.Files, forAdmin.Totals.Boxes));

        // Refused by field and rule, nothing changed: another agency's room, a zero box; the Secret file is not found for the clerk.
        var custody = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.MoveRecordFileAsync(budget, null, new PhysicalLocationDto { RoomCode = "TH-K1", BoxNumber = "1" }, Ct));
        Assert.Equal(422, custody.StatusCode);
        Assert.Equal(("roomCode", "location.room-custody"), (Assert.Single(custody.Result.Errors).Field, custody.Result.Errors.Single().Rule));
        var zero = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.MoveRecordFileAsync(budget, null, new PhysicalLocationDto { RoomCode = "TL-K1", BoxNumber = "0" }, Ct));
        Assert.Equal(("boxNumber", "location.number-positive"), (zero.Result.Errors.Single().Field, zero.Result.Errors.Single().Rule));
        Assert.Equal("5", (await clerk.GetRecordFileAsync(budget, Ct)).Location!.BoxNumber);
        var hidden = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.MoveRecordFileAsync(secret, null, new PhysicalLocationDto { RoomCode = "TL-K1", BoxNumber = "9" }, Ct));
        Assert.Equal(404, hidden.StatusCode);

        // The move is audited with where the file was and where it is now.
        var audit = await admin.QueryAuditRecordsAsync(null, null, null, null, "change", "record-file", plan, null, null, null, 100, Ct);
        Assert.Contains(audit.Items, r => r.Actor == "luu-tru-vien" && r.Detail!.EndsWith($"Move record file {plan} from room TL-K1, shelf 1, compartment 2, box 4 to room TL-K1, shelf 1, compartment 2, box 5, position 2", StringComparison.Ordinal));

        // Find by box: the clerk sees two files, the cleared administrator three.
        Assert.Equal([budget, plan], (await clerk.ListStorageRoomBoxAsync("TL-K1", "5", Ct)).Select(f => f.FileCode));
        Assert.Equal(3, (await admin.ListStorageRoomBoxAsync("TL-K1", "5", Ct)).Count);
        var boxes = await clerk.ListStorageRoomBoxesAsync("TL-K1", Ct);
        var box = Assert.Single(boxes);
        Assert.Equal((2, "1.TC", "2.VP"), (box.Files, box.FirstFile, box.LastFile));

        // Box labels and the location report: valid Office files, Vietnamese headings, no Secret file for the clerk.
        using (var labels = await clerk.GetBoxLabelsAsync("TL-K1", null, Ct))
        {
            Assert.Equal("2", labels.Headers["Archive-Location-Files"].Single());
            using var word = WordprocessingDocument.Open(new MemoryStream(await BytesAsync(labels)), false);
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("ỦY BAN NHÂN DÂN XÃ TÂN LẬP", text, StringComparison.Ordinal);
            Assert.Contains("HỘP SỐ", text, StringComparison.Ordinal);
            Assert.Contains("Từ hồ sơ số: 1.TC đến hồ sơ số: 2.VP", text, StringComparison.Ordinal);
            Assert.DoesNotContain("3.MAT", text, StringComparison.Ordinal);
        }

        using (var report = await clerk.GetLocationReportAsync("TL-K1", "xlsx", null, Ct))
        {
            Assert.Equal(("2", "1"), (report.Headers["Archive-Location-Files"].Single(), report.Headers["Archive-Location-Boxes"].Single()));
            using var book = SpreadsheetDocument.Open(new MemoryStream(await BytesAsync(report)), false);
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
            var texts = book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains("BÁO CÁO VỊ TRÍ HỒ SƠ", texts);
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
            Assert.Contains("Tổng số: 2 (Hai) hồ sơ trong 1 hộp", texts);
            Assert.DoesNotContain("3.MAT", texts);
        }

        using (var report = await admin.GetLocationReportAsync("TL-K1", "docx", "5", Ct))
        {
            Assert.Equal("3", report.Headers["Archive-Location-Files"].Single());
            using var word = WordprocessingDocument.Open(new MemoryStream(await BytesAsync(report)), false);
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            Assert.Contains("3.MAT", word.MainDocumentPart!.Document!.InnerText, StringComparison.Ordinal);
        }

        Assert.NotEqual(placed.Version, moved.Version);
    }

    private static async Task<string> FileAsync(ArchiveClient client, string notation, string title, string maintenance, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = Fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = title,
            Maintenance = maintenance,
            Rights = rights,
            Creator = "Văn phòng HĐND và UBND xã",
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = Generated.RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;

    private static async Task<byte[]> BytesAsync(FileResponse response)
    {
        using var buffer = new MemoryStream();
        await response.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}
