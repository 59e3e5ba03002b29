using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Locations;
using Archive.Records;
using Archive.Security;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.Core.Tests.Locations;

/// <summary>
/// Physical locations (issue #18 item 1): storage rooms of an agency, placing and moving record files into boxes
/// (audited from → to), the carrier of a digitised copy, find by box, box labels and the location report.
/// </summary>
public sealed class LocationServiceTests
{
    private const string OtherAgency = "000.00.00.G10";
    // A caller remembers the custodians it looked up (one request): a new one each time.
    private static ArchiveCaller Clerk => ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);

    private static ArchiveCaller ClearedClerk => ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);

    private static ArchiveCaller OtherClerk => ArchiveCaller.Authenticated(new ArchiveUser("Lê Thị Bình"), [ArchiveRoles.Archivist], [OtherAgency]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Code(string notation, int year = 2015) => RecordFile.ComposeFileCode(ArchiveHarness.AgencyId, year, notation);

    private static PhysicalLocation At(string box, int? position = null, string room = "G09-K1", string? shelf = "03", string? compartment = "2")
        => new() { RoomCode = room, Shelf = shelf, Compartment = compartment, BoxNumber = box, PositionInBox = position };

    [Fact]
    public async Task A_room_is_registered_by_its_agency_only_and_every_broken_rule_is_named_storing_nothing()
    {
        await using var h = await SeededAsync();
        var rooms = h.Services.GetRequiredService<StorageRoomRegistry>();
        var stored = (await rooms.GetAsync("G09-K1", Ct))!.Value;
        Assert.Equal(("Kho lưu trữ tầng 2", ArchiveHarness.AgencyId, "Số 8 Tôn Thất Thuyết, Hà Nội"), (stored.Name, stored.AgencyId, stored.Address));

        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await rooms.CreateAsync(Room("G09-K9", ArchiveHarness.AgencyId), OtherClerk, ArchiveHarness.User, Ct));
        Assert.Equal(AccessRules.AgencyScope, denied.Rule);
        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await rooms.CreateAsync(
            new StorageRoomInput { Code = "-K 1", Name = " ", AgencyId = "000.00.00.Z99", Address = new string('x', StorageRoomRegistry.AddressMax + 1) }, Clerk, ArchiveHarness.User, Ct));
        Assert.Contains(bad.Errors, e => e is { Field: "code", Rule: "storage-room.code-format" });
        Assert.Contains(bad.Errors, e => e is { Field: "name", Rule: "required" });
        Assert.Contains(bad.Errors, e => e is { Field: "agencyId", Rule: "agency.not-found" });
        Assert.Contains(bad.Errors, e => e is { Field: "address", Rule: "max-length" });
        var taken = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await rooms.CreateAsync(Room("g09-k1", ArchiveHarness.AgencyId), Clerk, ArchiveHarness.User, Ct));
        Assert.Equal(ConflictRules.AlreadyExists, taken.Rule);
        Assert.Equal(["G09-K1", "G10-K1"], (await rooms.ListAsync(null, Ct)).Select(r => r.Value.Code));
        Assert.Equal(["G10-K1"], (await rooms.ListAsync(OtherAgency, Ct)).Select(r => r.Value.Code));

        // Registering is a change of the room's own package, audited as one.
        var registered = (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.Change, ObjectId = "G09-K1", PageSize = 10 }, Ct)).Records;
        Assert.Equal(("storage-room", ArchiveHarness.User.Name), (Assert.Single(registered).Event.ObjectType, registered[0].Event.Actor));
        Assert.EndsWith("Register storage room G09-K1 (Kho lưu trữ tầng 2) of agency " + ArchiveHarness.AgencyId, registered[0].Event.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_move_is_a_new_version_audited_from_and_to_and_an_update_keeps_the_location()
    {
        await using var h = await SeededAsync();
        var locations = h.Services.GetRequiredService<LocationService>();
        var code = Code("2.TCCB");

        var placed = await locations.MoveAsync(code, At("012", 4), null, Clerk, ArchiveHarness.User, Ct);
        Assert.Equal(new PhysicalLocation { RoomCode = "G09-K1", Shelf = "03", Compartment = "2", BoxNumber = "12", PositionInBox = 4 }, placed.Stored.Value.Location);
        var moved = await locations.MoveAsync(code, At("13", 1, shelf: "04"), placed.Stored.Version, Clerk, ArchiveHarness.User, Ct);
        Assert.Equal(placed.Stored.Version + 1, moved.Stored.Version);

        var changes = (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.Change, ObjectId = code, PageSize = 100 }, Ct)).Records;
        var move = changes.Last().Event;
        Assert.Equal(ArchiveHarness.User.Name, move.Actor);
        Assert.Equal($"v{moved.Stored.Version}: Move record file {code} from room G09-K1, shelf 03, compartment 2, box 12, position 4 to room G09-K1, shelf 04, compartment 2, box 13, position 1", move.Detail);
        Assert.Contains(changes, r => r.Event.Detail!.EndsWith("from (no location) to room G09-K1, shelf 03, compartment 2, box 12, position 4", StringComparison.Ordinal));

        // Replacing the record file's elements keeps where it is; only a move changes it.
        var current = (await h.Files.GetAsync(code, Ct))!;
        var updated = await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("2.TCCB") with { Title = "Hồ sơ đã sửa tiêu đề" }, current.Version, ArchiveHarness.User, Ct);
        Assert.Equal("13", updated.Stored.Value.Location!.BoxNumber);

        // Taken off the shelves.
        var off = await locations.MoveAsync(code, null, null, Clerk, ArchiveHarness.User, Ct);
        Assert.Null(off.Stored.Value.Location);
    }

    [Fact]
    public async Task A_room_of_another_agency_an_unknown_room_and_bad_numbers_are_refused_by_field_and_rule_changing_nothing()
    {
        await using var h = await SeededAsync();
        var locations = h.Services.GetRequiredService<LocationService>();
        var code = Code("2.TCCB");
        var before = (await h.Files.GetAsync(code, Ct))!.Version;

        var custody = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.MoveAsync(code, At("1", room: "G10-K1"), null, Clerk, ArchiveHarness.User, Ct));
        Assert.Equal(("roomCode", "location.room-custody"), (Assert.Single(custody.Errors).Field, custody.Errors[0].Rule));
        var unknown = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.MoveAsync(code, At("1", room: "NOWHERE"), null, null, ArchiveHarness.User, Ct));
        Assert.Equal(("roomCode", "location.room-unknown"), (Assert.Single(unknown.Errors).Field, unknown.Errors[0].Rule));
        var numbers = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.MoveAsync(code, At("-3", 0, shelf: "0", compartment: new string('9', LocationService.LabelMax + 1)), null, Clerk, ArchiveHarness.User, Ct));
        Assert.Contains(numbers.Errors, e => e is { Field: "boxNumber", Rule: "location.number-positive" });
        Assert.Contains(numbers.Errors, e => e is { Field: "shelf", Rule: "location.number-positive" });
        Assert.Contains(numbers.Errors, e => e is { Field: "compartment", Rule: "max-length" });
        Assert.Contains(numbers.Errors, e => e is { Field: "positionInBox", Rule: "location.position-range" });
        var format = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.MoveAsync(code, At("<b>", -1), null, Clerk, ArchiveHarness.User, Ct));
        Assert.Contains(format.Errors, e => e is { Field: "boxNumber", Rule: "location.label-format" });
        Assert.Contains(format.Errors, e => e is { Field: "positionInBox", Rule: "location.position-range" });
        Assert.Equal(before, (await h.Files.GetAsync(code, Ct))!.Version);

        // Once the fonds passes into the other agency's custody, its rooms are the right ones and the old ones are not.
        var fonds = (await h.Fonds.GetAsync(ArchiveHarness.FondsCode, Ct))!;
        await h.Fonds.UpdateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = fonds.Value.Name, AgencyId = ArchiveHarness.AgencyId, CustodianAgencyId = OtherAgency }, null, ArchiveHarness.User, Ct);
        var old = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.MoveAsync(code, At("1"), null, null, ArchiveHarness.User, Ct));
        Assert.Equal("location.room-custody", Assert.Single(old.Errors).Rule);
        var moved = await locations.MoveAsync(code, At("1", room: "G10-K1"), null, OtherClerk, ArchiveHarness.User, Ct);
        Assert.Equal("G10-K1", moved.Stored.Value.Location!.RoomCode);
    }

    [Fact]
    public async Task Moving_a_file_the_caller_may_only_read_is_denied_and_a_hidden_or_secret_one_is_not_found()
    {
        await using var h = await SeededAsync();
        var locations = h.Services.GetRequiredService<LocationService>();

        // A supervisor reads across agencies but changes nothing; another agency's clerk does not even see the file.
        var supervisor = ArchiveCaller.Authenticated(new ArchiveUser("Sở Nội vụ"), [ArchiveRoles.Supervisor], [OtherAgency]);
        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await locations.MoveAsync(Code("2.TCCB"), At("1"), null, supervisor, ArchiveHarness.User, Ct));
        Assert.Equal(AccessRules.AgencyScope, denied.Rule);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await locations.MoveAsync(Code("2.TCCB"), At("1"), null, OtherClerk, ArchiveHarness.User, Ct));
        var secret = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await locations.MoveAsync(Code("3.MAT"), At("1"), null, Clerk, ArchiveHarness.User, Ct));
        var missing = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await locations.MoveAsync(Code("9.KHONG"), At("1"), null, Clerk, ArchiveHarness.User, Ct));
        Assert.Equal(secret.Message.Replace("3.MAT", "9.KHONG", StringComparison.Ordinal), missing.Message);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await locations.SetCarrierAsync(Code("3.MAT"), new DigitalCarrier { Medium = "USB" }, null, Clerk, ArchiveHarness.User, Ct));
    }

    [Fact]
    public async Task The_carrier_is_set_validated_and_audited_and_cleared()
    {
        await using var h = await SeededAsync();
        var locations = h.Services.GetRequiredService<LocationService>();
        var code = Code("2.TCCB");

        var set = await locations.SetCarrierAsync(code, new DigitalCarrier { Medium = " Ổ cứng di động ", DeviceLabel = "HDD-07", SealNumber = "NP-2025/014" }, null, Clerk, ArchiveHarness.User, Ct);
        Assert.Equal(new DigitalCarrier { Medium = "Ổ cứng di động", DeviceLabel = "HDD-07", SealNumber = "NP-2025/014" }, set.Stored.Value.Carrier);
        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.SetCarrierAsync(code, new DigitalCarrier { Medium = "", SealNumber = new string('1', LocationService.SealNumberMax + 1) }, null, Clerk, ArchiveHarness.User, Ct));
        Assert.Contains(bad.Errors, e => e is { Field: "medium", Rule: "required" });
        Assert.Contains(bad.Errors, e => e is { Field: "sealNumber", Rule: "max-length" });
        var cleared = await locations.SetCarrierAsync(code, null, null, Clerk, ArchiveHarness.User, Ct);
        Assert.Null(cleared.Stored.Value.Carrier);
        var last = (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.Change, ObjectId = code, PageSize = 100 }, Ct)).Records.Last();
        Assert.EndsWith("Set the carrier of record file " + code + " from Ổ cứng di động, device HDD-07, seal NP-2025/014 to (no carrier)", last.Event.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_by_box_lists_in_box_order_only_what_the_caller_may_read_and_never_counts_a_secret_file_without_clearance()
    {
        await using var h = await PlacedAsync();
        var locations = h.Services.GetRequiredService<LocationService>();

        var box = await locations.ListBoxAsync("G09-K1", "0012", Clerk, Ct);
        Assert.Equal([Code("10.TCCB"), Code("2.TCCB"), Code("1.VP", 2016)], box.Select(f => f.Value.FileCode)); // positions 1, 2, then unnumbered
        var cleared = await locations.ListBoxAsync("G09-K1", "12", ClearedClerk, Ct);
        Assert.Equal(4, cleared.Count);
        Assert.Equal(4, (await locations.ListBoxAsync("G09-K1", "12", null, Ct)).Count); // the operator offline

        var boxes = await locations.ListBoxesAsync("G09-K1", Clerk, Ct);
        Assert.Equal(["2", "12"], boxes.Select(b => b.BoxNumber)); // numbers as numbers
        var twelve = boxes[1];
        Assert.Equal((3, "10.TCCB", "1.VP", 2015, 2016), (twelve.Files, twelve.FirstFile, twelve.LastFile, twelve.FromYear, twelve.ToYear));
        Assert.Equal(4, (await locations.ListBoxesAsync("G09-K1", ClearedClerk, Ct)).Single(b => b.BoxNumber == "12").Files);

        // A box holding only the Secret file is not even listed for the uncleared clerk; another agency sees nothing.
        Assert.DoesNotContain(boxes, b => b.BoxNumber == "7");
        Assert.Contains(await locations.ListBoxesAsync("G09-K1", ClearedClerk, Ct), b => b.BoxNumber == "7");
        Assert.Empty(await locations.ListBoxesAsync("G09-K1", OtherClerk, Ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await locations.ListBoxesAsync("NOWHERE", Clerk, Ct));
        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.ListBoxAsync("G09-K1", "0", Clerk, Ct));
        Assert.Equal(("boxNumber", "location.number-positive"), (bad.Errors[0].Field, bad.Errors[0].Rule));
    }

    [Fact]
    public async Task Box_labels_and_the_location_report_are_valid_office_files_with_vietnamese_headings_and_no_secret_file()
    {
        await using var h = await PlacedAsync();
        var locations = h.Services.GetRequiredService<LocationService>();

        using var labels = new MemoryStream();
        var printed = await locations.WriteLabelsAsync(new BoxLabelsRequest { RoomCode = "G09-K1" }, Clerk, labels, Ct);
        Assert.Equal((4, 2, "nhan-hop-G09-K1.docx"), (printed.Files, printed.Boxes, printed.FileName));
        labels.Position = 0;
        using (var word = WordprocessingDocument.Open(labels, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("BỘ NỘI VỤ", text, StringComparison.Ordinal);
            Assert.Contains("Phông Bộ Nội vụ", text, StringComparison.Ordinal);
            Assert.Contains("HỘP SỐ", text, StringComparison.Ordinal);
            Assert.Contains("Từ hồ sơ số: 10.TCCB đến hồ sơ số: 1.VP", text, StringComparison.Ordinal);
            Assert.Contains("Năm: 2015 - 2016", text, StringComparison.Ordinal);
            Assert.Contains("Thời hạn lưu trữ: 10 năm; Vĩnh viễn", text, StringComparison.Ordinal);
            Assert.DoesNotContain("3.MAT", text, StringComparison.Ordinal);
        }

        var empty = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await locations.WriteLabelsAsync(new BoxLabelsRequest { RoomCode = "G09-K1", BoxNumbers = ["12", "7"] }, Clerk, Stream.Null, Ct));
        Assert.Equal(("boxNumbers[1]", "location.box-empty"), (Assert.Single(empty.Errors).Field, empty.Errors[0].Rule)); // the Secret file's box, as an empty one

        using var xlsx = new MemoryStream();
        var report = await locations.WriteReportAsync(new LocationReportRequest { RoomCode = "G09-K1" }, Clerk, xlsx, Ct);
        Assert.Equal((4, 2, "bao-cao-vi-tri-G09-K1.xlsx"), (report.Files, report.Boxes, report.FileName));
        xlsx.Position = 0;
        using (var book = SpreadsheetDocument.Open(xlsx, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
            var texts = book.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<S.InlineString>().Select(s => s.InnerText).ToList();
            Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", texts);
            Assert.Contains("BÁO CÁO VỊ TRÍ HỒ SƠ", texts);
            Assert.Contains("Hộp số", texts);
            Assert.Contains("Tổng số: 4 (Bốn) hồ sơ trong 2 hộp", texts);
            Assert.DoesNotContain("3.MAT", texts);
            // Shelf order: box 2 (shelf 01) before box 12 (shelf 03), then the positions in box 12.
            Assert.Equal(["4.DC", "10.TCCB", "2.TCCB", "1.VP"], texts.Where(t => t is "4.DC" or "10.TCCB" or "2.TCCB" or "1.VP"));
        }

        using var docx = new MemoryStream();
        var one = await locations.WriteReportAsync(new LocationReportRequest { RoomCode = "G09-K1", BoxNumber = "12", Format = LocationReportFormat.Docx }, ClearedClerk, docx, Ct);
        Assert.Equal((4, 1), (one.Files, one.Boxes)); // cleared: the Secret file is in box 12 too
        docx.Position = 0;
        using var report2 = WordprocessingDocument.Open(docx, false);
        Assert.Empty(new OpenXmlValidator().Validate(report2, Ct));
        var body = report2.MainDocumentPart!.Document!.InnerText;
        Assert.Contains("Độc lập - Tự do - Hạnh phúc", body, StringComparison.Ordinal);
        Assert.Contains("Hộp số: 12", body, StringComparison.Ordinal);
        Assert.Contains("3.MAT", body, StringComparison.Ordinal);
    }

    private static StorageRoomInput Room(string code, string agencyId) => new() { Code = code, Name = "Kho lưu trữ tầng 2", AgencyId = agencyId, Address = "Số 8 Tôn Thất Thuyết, Hà Nội" };

    private static async Task<ArchiveHarness> SeededAsync()
    {
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, "P-G10", "Sở Nội vụ");
        var rooms = h.Services.GetRequiredService<StorageRoomRegistry>();
        await rooms.CreateAsync(Room("G09-K1", ArchiveHarness.AgencyId), Clerk, ArchiveHarness.User, Ct);
        await rooms.CreateAsync(Room("G10-K1", OtherAgency), OtherClerk, ArchiveHarness.User, Ct);
        var u = ArchiveHarness.User;
        await h.Files.CreateAsync(ArchiveHarness.FileInput("10.TCCB", 2015), u, Ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("2.TCCB", 2015), u, Ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("1.VP", 2016) with { Maintenance = Archive.Retention.RetentionPeriod.Permanent }, u, Ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("3.MAT", 2015) with { Rights = AccessLevel.Secret }, u, Ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("4.DC", 2015), u, Ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("5.MAT", 2015) with { Rights = AccessLevel.Secret }, u, Ct);
        return h;
    }

    /// <summary>Box 12 (shelf 03): 10.TCCB at 1, 2.TCCB at 2, the Secret 3.MAT at 3, 1.VP unnumbered; box 2 (shelf 01): 4.DC; box 7: only the Secret 5.MAT.</summary>
    private static async Task<ArchiveHarness> PlacedAsync()
    {
        var h = await SeededAsync();
        var locations = h.Services.GetRequiredService<LocationService>();
        await locations.MoveAsync(Code("2.TCCB"), At("12", 2), null, null, ArchiveHarness.User, Ct);
        await locations.MoveAsync(Code("10.TCCB"), At("12", 1), null, null, ArchiveHarness.User, Ct);
        await locations.MoveAsync(Code("3.MAT"), At("12", 3), null, null, ArchiveHarness.User, Ct);
        await locations.MoveAsync(Code("1.VP", 2016), At("12"), null, null, ArchiveHarness.User, Ct);
        await locations.MoveAsync(Code("4.DC"), At("2", shelf: "01", compartment: "1"), null, null, ArchiveHarness.User, Ct);
        await locations.MoveAsync(Code("5.MAT"), At("7"), null, null, ArchiveHarness.User, Ct);
        return h;
    }
}
