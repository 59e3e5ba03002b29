using System.Globalization;
using System.Text.RegularExpressions;
using Archive.Documents;
using Archive.Records;
using Archive.Registers;
using Archive.Security;

namespace Archive.Locations;

/// <summary>The file format of a location report.</summary>
public enum LocationReportFormat
{
    /// <summary>Excel workbook.</summary>
    Xlsx = 0,

    /// <summary>Word document (landscape A4).</summary>
    Docx = 1,
}

/// <summary>One box of a storage room as the caller may see it: where it stands and the record files it holds.</summary>
public sealed record BoxSummary
{
    /// <summary>Mã kho.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Hộp số.</summary>
    public required string BoxNumber { get; init; }

    /// <summary>Giá (several joined with "; " when the files disagree).</summary>
    public string? Shelf { get; init; }

    /// <summary>Khoang (several joined with "; " when the files disagree).</summary>
    public string? Compartment { get; init; }

    /// <summary>How many record files (the caller may read) the box holds.</summary>
    public int Files { get; init; }

    /// <summary>Từ hồ sơ số: the first record file's notation, in box order.</summary>
    public string? FirstFile { get; init; }

    /// <summary>Đến hồ sơ số: the last record file's notation, in box order.</summary>
    public string? LastFile { get; init; }

    /// <summary>The earliest year of the records.</summary>
    public int? FromYear { get; init; }

    /// <summary>The latest year of the records.</summary>
    public int? ToYear { get; init; }
}

/// <summary>What to print on box labels: a room's boxes, or some of them.</summary>
public sealed record BoxLabelsRequest
{
    /// <summary>The storage room.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Only these boxes (at most <see cref="LocationService.MaxBoxes"/>); null or empty: every box of the room.</summary>
    public IReadOnlyList<string>? BoxNumbers { get; init; }
}

/// <summary>What to list in a location report.</summary>
public sealed record LocationReportRequest
{
    /// <summary>The storage room.</summary>
    public required string RoomCode { get; init; }

    /// <summary>Only this box; null: the whole room.</summary>
    public string? BoxNumber { get; init; }

    /// <summary>The file format.</summary>
    public LocationReportFormat Format { get; init; } = LocationReportFormat.Xlsx;
}

/// <summary>What a printed location paper holds.</summary>
/// <param name="Files">Record files listed (or on the labels).</param>
/// <param name="Boxes">Boxes (labels printed, or distinct boxes listed).</param>
/// <param name="MediaType">The media type of the written file.</param>
/// <param name="FileName">A file name for it.</param>
public sealed record LocationFileResult(int Files, int Boxes, string MediaType, string FileName);

/// <summary>
/// Where paper record files are kept (issue #18 item 1): placing and moving a record file into a storage room's box
/// (kho, giá, khoang, hộp, số thứ tự) and recording the device that carries its digitised copy (vật mang tin, số niêm
/// phong), each as a new version audited with what it was and what it became; the record files of a box and the boxes
/// of a room; box labels (nhãn hộp, DOCX) and the location report (báo cáo vị trí, XLSX/DOCX).
/// </summary>
/// <remarks>
/// <para>Rules: the room must be registered and belong to the agency holding the record file's fonds
/// (<see cref="Fonds.CustodianAgencyId"/>, else its creator): a file is never put in another agency's storage
/// (<c>location.room-custody</c>). Shelf, compartment and box are short labels (<see cref="LabelMax"/>, letters, digits,
/// '.', '-', '/', spaces; a number is at least 1); the position in the box is 1 to <see cref="PositionMax"/>. A box number
/// that is a number is stored without leading zeros (<c>012</c> is box <c>12</c>). Create, update and import do not set a
/// location: placing is this service's move, so every placement is checked and audited the same way.</para>
/// <para>Reads go through the caller: only record files it may read are listed, counted or printed (a Secret file
/// without clearance is left out, not even counted); with no caller (offline, the operator) all. The record files are
/// read from storage (the system of record), one row in memory per file of the room. Known limit: every read lists and
/// reads every record file of the store (there is no index of locations): measured provisionally at about 0.5 s per
/// request for 500 record files on a loaded machine (load 11-14), linear in the number of record files.</para>
/// </remarks>
public sealed partial class LocationService
{
    /// <summary>Longest shelf, compartment or box label.</summary>
    public const int LabelMax = 20;

    /// <summary>Highest position of a record file in a box.</summary>
    public const int PositionMax = 9999;

    /// <summary>Longest carrier medium (loại vật mang tin).</summary>
    public const int MediumMax = 100;

    /// <summary>Longest device label.</summary>
    public const int DeviceLabelMax = 100;

    /// <summary>Longest seal number.</summary>
    public const int SealNumberMax = 50;

    /// <summary>The most boxes a label request may name.</summary>
    public const int MaxBoxes = 500;

    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly StorageRoomRegistry _rooms;
    private readonly ILocationDocumentWriter? _writer;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; <paramref name="writer"/> prints labels and reports, <paramref name="policy"/> decides for a caller.</summary>
    public LocationService(RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, StorageRoomRegistry rooms, ILocationDocumentWriter? writer = null, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(rooms);
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _rooms = rooms;
        _writer = writer;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    // ------------------------------------------------------------------------------------------------ changes

    /// <summary>
    /// Places the record file at <paramref name="location"/> (or takes it off the shelves when null), as a new version
    /// whose message — and so its audit entry — says where it was and where it is now.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule of the location is broken (named with its field); nothing changes.</exception>
    /// <exception cref="ArchiveNotFoundException">No record file the caller may read has this code.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller may read but not change it.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The file changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArchiveConflictException">The file is under legal hold or accessioned.</exception>
    public async ValueTask<WriteResult<RecordFile>> MoveAsync(string fileCode, PhysicalLocation? location, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(user);
        var errors = new List<ValidationError>();
        var next = location is null ? null : Normalise(location, errors);
        Throw(errors);
        await RequireChangeAsync(caller, fileCode, cancellationToken).ConfigureAwait(false);
        return await _files.RelocateAsync(fileCode, expectedVersion, user, async (current, fonds, found, ct) =>
        {
            if (next is not null)
            {
                await CheckRoomAsync(next.RoomCode, fonds, found, ct).ConfigureAwait(false);
            }

            return (current with { Location = next }, $"Move record file {current.FileCode} from {Describe(current.Location)} to {Describe(next)}");
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the storage device that carries the record file's digitised copy and its seal (or none, when null), as
    /// a new version whose message — and audit entry — says what it was and what it is now.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule of the carrier is broken (named with its field); nothing changes.</exception>
    /// <exception cref="ArchiveNotFoundException">No record file the caller may read has this code.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller may read but not change it.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The file changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArchiveConflictException">The file is under legal hold or accessioned.</exception>
    public async ValueTask<WriteResult<RecordFile>> SetCarrierAsync(string fileCode, DigitalCarrier? carrier, int? expectedVersion, ArchiveCaller? caller, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(user);
        var errors = new List<ValidationError>();
        DigitalCarrier? next = null;
        if (carrier is not null)
        {
            next = new DigitalCarrier
            {
                Medium = Text(errors, "medium", carrier.Medium, MediumMax, required: true) ?? string.Empty,
                DeviceLabel = Text(errors, "deviceLabel", carrier.DeviceLabel, DeviceLabelMax),
                SealNumber = Text(errors, "sealNumber", carrier.SealNumber, SealNumberMax),
            };
        }

        Throw(errors);
        await RequireChangeAsync(caller, fileCode, cancellationToken).ConfigureAwait(false);
        return await _files.RelocateAsync(fileCode, expectedVersion, user, (current, fonds, found, ct)
            => ValueTask.FromResult((current with { Carrier = next }, $"Set the carrier of record file {current.FileCode} from {Describe(current.Carrier)} to {Describe(next)}")),
            cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------------------------------------ reads

    /// <summary>The record files in one box of a room that the caller may read, in box order (position, year, notation).</summary>
    /// <exception cref="ArchiveValidationException">The box number is missing or malformed.</exception>
    /// <exception cref="ArchiveNotFoundException">No such storage room.</exception>
    public async ValueTask<IReadOnlyList<Versioned<RecordFile>>> ListBoxAsync(string roomCode, string boxNumber, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        var errors = new List<ValidationError>();
        var box = Label(errors, "boxNumber", boxNumber, required: true, numeric: true);
        Throw(errors);
        var room = await RoomAsync(roomCode, cancellationToken).ConfigureAwait(false);
        var files = await InRoomAsync(room.Code, box, caller, cancellationToken).ConfigureAwait(false);
        return [.. files.OrderBy(f => f.Value, InBox)];
    }

    /// <summary>The boxes of a room holding record files the caller may read, by box number (numbers as numbers).</summary>
    /// <exception cref="ArchiveNotFoundException">No such storage room.</exception>
    public async ValueTask<IReadOnlyList<BoxSummary>> ListBoxesAsync(string roomCode, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        var room = await RoomAsync(roomCode, cancellationToken).ConfigureAwait(false);
        var files = await InRoomAsync(room.Code, null, caller, cancellationToken).ConfigureAwait(false);
        return [.. Boxes(files).Select(b => Summary(room.Code, b.Key, b.Value))];
    }

    // ------------------------------------------------------------------------------------------------ papers

    /// <summary>
    /// Writes the labels of a room's boxes (nhãn hộp: cơ quan, phông, hộp số, từ hồ sơ số … đến hồ sơ số, năm, thời hạn)
    /// as DOCX into <paramref name="output"/> (synchronous writes), one per box holding record files the caller may read.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A box number is malformed, or a named box holds no record file the caller may read (<c>location.box-empty</c>).</exception>
    /// <exception cref="ArchiveNotFoundException">No such storage room.</exception>
    public async ValueTask<LocationFileResult> WriteLabelsAsync(BoxLabelsRequest request, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var writer = Writer();
        var errors = new List<ValidationError>();
        List<string>? wanted = null;
        if (request.BoxNumbers is { Count: > 0 } named)
        {
            if (named.Count > MaxBoxes)
            {
                errors.Add(new("boxNumbers", "location.box-count", $"Name at most {MaxBoxes} boxes ({named.Count} given); leave the list out for the whole room."));
            }

            wanted = [.. named.Select((b, i) => Label(errors, $"boxNumbers[{i}]", b, required: true, numeric: true) ?? string.Empty)];
        }

        Throw(errors);
        var room = await RoomAsync(request.RoomCode, cancellationToken).ConfigureAwait(false);
        var files = await InRoomAsync(room.Code, null, caller, cancellationToken).ConfigureAwait(false);
        var boxes = Boxes(files);
        if (wanted is not null)
        {
            for (var i = 0; i < wanted.Count; i++)
            {
                if (!boxes.ContainsKey(wanted[i]))
                {
                    errors.Add(new($"boxNumbers[{i}]", "location.box-empty", $"Box '{wanted[i]}' of room '{room.Code}' holds no record file you may read."));
                }
            }

            Throw(errors);
            var keep = wanted.ToHashSet(StringComparer.Ordinal);
            boxes = new SortedDictionary<string, List<RecordFile>>(boxes.Where(b => keep.Contains(b.Key)).ToDictionary(), BoxOrder);
        }

        var agency = (await _agencies.GetAsync(room.AgencyId, cancellationToken).ConfigureAwait(false))?.Value;
        var fondsNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var code in files.Select(f => f.Value.FondsCode).Distinct(StringComparer.Ordinal))
        {
            fondsNames[code] = (await _fonds.GetAsync(code, cancellationToken).ConfigureAwait(false))?.Value.Name ?? code;
        }

        var labels = boxes.Select(b =>
        {
            var s = Summary(room.Code, b.Key, b.Value);
            return new BoxLabel
            {
                AgencyName = agency?.Name ?? room.AgencyId,
                FondsName = string.Join("; ", b.Value.Select(f => fondsNames[f.FondsCode]).Distinct(StringComparer.Ordinal)),
                BoxNumber = b.Key,
                Place = string.Join(", ", new[] { "Kho " + room.Code, s.Shelf is { } sh ? "giá " + sh : null, s.Compartment is { } c ? "khoang " + c : null }.Where(x => x is not null)),
                FirstFile = s.FirstFile,
                LastFile = s.LastFile,
                Files = s.Files,
                Years = Years(s.FromYear, s.ToYear),
                Retention = string.Join("; ", b.Value.Select(f => f.Maintenance.ToVietnamese()).Distinct(StringComparer.Ordinal)),
            };
        }).ToList();
        var count = writer.WriteBoxLabelsDocx(new BoxLabelsDocument { AgencyName = agency?.Name ?? room.AgencyId, RoomName = room.Name + " (" + room.Code + ")" }, labels, output);
        return new LocationFileResult(labels.Sum(l => l.Files), count, DocxMediaType, "nhan-hop-" + room.Code + ".docx");
    }

    /// <summary>
    /// Writes the location report of a room (báo cáo vị trí: kho, giá, khoang, hộp, số thứ tự, hồ sơ) into
    /// <paramref name="output"/> (synchronous writes), in shelf order, listing only record files the caller may read.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A field of the request is invalid (named in the error).</exception>
    /// <exception cref="ArchiveNotFoundException">No such storage room.</exception>
    public async ValueTask<LocationFileResult> WriteReportAsync(LocationReportRequest request, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var writer = Writer();
        var errors = new List<ValidationError>();
        var box = request.BoxNumber is null ? null : Label(errors, "boxNumber", request.BoxNumber, required: true, numeric: true);
        if (!Enum.IsDefined(request.Format))
        {
            errors.Add(new("format", "location.format", "The format is Xlsx or Docx."));
        }

        Throw(errors);
        var room = await RoomAsync(request.RoomCode, cancellationToken).ConfigureAwait(false);
        var files = await InRoomAsync(room.Code, box, caller, cancellationToken).ConfigureAwait(false);
        var rows = files.Select(f => f.Value).OrderBy(f => f, OnShelves).Select(f => new LocationReportRow
        {
            RoomCode = room.Code,
            Shelf = f.Location!.Shelf,
            Compartment = f.Location.Compartment,
            BoxNumber = f.Location.BoxNumber,
            PositionInBox = f.Location.PositionInBox,
            FileNotation = f.FileNotation,
            FileCode = f.FileCode,
            Title = f.Title,
            Years = Years(f.StartDate?.Year ?? f.FileCatalog, f.EndDate?.Year ?? f.FileCatalog),
            Retention = f.Maintenance.ToVietnamese(),
        });
        var agency = (await _agencies.GetAsync(room.AgencyId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = agency?.ParentId is { } parentId ? (await _agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var now = _time.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        var document = new LocationReportDocument
        {
            Heading = new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = agency?.Name ?? room.AgencyId, Date = DateOnly.FromDateTime(now.DateTime) },
            Subtitles =
            [
                "Kho: " + room.Name + " (" + room.Code + ")" + (room.Address is { } a ? " — " + a : string.Empty),
                .. box is null ? Array.Empty<string>() : ["Hộp số: " + box],
            ],
            Signatures = [new Signature("Người lập", null), new Signature("Thủ trưởng cơ quan", null)],
        };
        var totals = request.Format == LocationReportFormat.Docx
            ? writer.WriteLocationReportDocx(document, rows, output)
            : writer.WriteLocationReportXlsx(document, rows, output);
        var name = "bao-cao-vi-tri-" + room.Code + (box is null ? string.Empty : "-hop-" + box);
        return request.Format == LocationReportFormat.Docx
            ? new LocationFileResult(totals.Files, totals.Boxes, DocxMediaType, name + ".docx")
            : new LocationFileResult(totals.Files, totals.Boxes, XlsxMediaType, name + ".xlsx");
    }

    // ------------------------------------------------------------------------------------------------ rules

    /// <summary>
    /// The shape rules of a location (everything but the room's existence and custody, which need the record file's
    /// fonds): adds the broken ones to <paramref name="errors"/> and returns the location as stored (trimmed, NFC, a
    /// numeric box number without leading zeros).
    /// </summary>
    internal static PhysicalLocation Normalise(PhysicalLocation location, List<ValidationError> errors)
    {
        var room = location.RoomCode?.Trim();
        if (string.IsNullOrEmpty(room))
        {
            errors.Add(new("roomCode", "required", "The storage room (mã kho) is required."));
        }
        else if (room.Length > StorageRoomRegistry.CodeMax)
        {
            errors.Add(new("roomCode", "max-length", $"The storage room code must be at most {StorageRoomRegistry.CodeMax} characters."));
        }

        var shelf = Label(errors, "shelf", location.Shelf, required: false, numeric: false);
        var compartment = Label(errors, "compartment", location.Compartment, required: false, numeric: false);
        var box = Label(errors, "boxNumber", location.BoxNumber, required: true, numeric: true);
        if (location.PositionInBox is { } p && (p < 1 || p > PositionMax))
        {
            errors.Add(new("positionInBox", "location.position-range", $"The position in the box is a number from 1 to {PositionMax}."));
        }

        return new PhysicalLocation { RoomCode = room ?? string.Empty, Shelf = shelf, Compartment = compartment, BoxNumber = box ?? string.Empty, PositionInBox = location.PositionInBox };
    }

    private static string? Label(List<ValidationError> errors, string field, string? value, bool required, bool numeric)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }

            return null;
        }

        var v = value.Trim().Normalize(System.Text.NormalizationForm.FormC);
        if (v.Length > LabelMax)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {LabelMax} characters."));
            return v;
        }

        if (NumberPattern().IsMatch(v))
        {
            // A number counts from 1: "0", "-2", "00" name no shelf, compartment or box.
            var digits = v.TrimStart('-').TrimStart('0');
            if (v.StartsWith('-') || digits.Length == 0)
            {
                errors.Add(new(field, "location.number-positive", $"{field} is a number from 1 (or a label such as 12A), not '{v}'."));
                return v;
            }

            return numeric ? digits : v;
        }

        if (!LabelPattern().IsMatch(v))
        {
            errors.Add(new(field, "location.label-format", $"{field} is letters, digits, spaces, '.', '-' and '/', starting with a letter or digit (e.g. 12, 12A, A-03)."));
        }

        return v;
    }

    private static string? Text(List<ValidationError> errors, string field, string? value, int max, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }

            return null;
        }

        var v = value.Trim().Normalize(System.Text.NormalizationForm.FormC);
        if (v.Length > max)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {max} characters."));
        }

        TextRules.Check(errors, field, v);
        return v;
    }

    /// <summary>The room must be registered and belong to the agency holding the fonds.</summary>
    private async ValueTask CheckRoomAsync(string roomCode, Fonds fonds, List<ValidationError> errors, CancellationToken cancellationToken)
    {
        var room = (await _rooms.GetAsync(roomCode, cancellationToken).ConfigureAwait(false))?.Value;
        if (room is null)
        {
            errors.Add(new("roomCode", "location.room-unknown", $"Storage room '{roomCode}' is not registered."));
            return;
        }

        var custodian = ArchiveAccessPolicy.CustodianOf(fonds);
        if (!string.Equals(room.AgencyId, custodian, StringComparison.Ordinal))
        {
            errors.Add(new("roomCode", "location.room-custody", $"Storage room '{room.Code}' is agency '{room.AgencyId}''s; the record file's fonds '{fonds.Code}' is held by agency '{custodian}', so it is kept in that agency's rooms only."));
        }
    }

    private async ValueTask RequireChangeAsync(ArchiveCaller? caller, string fileCode, CancellationToken cancellationToken)
    {
        if (caller is null)
        {
            return;
        }

        var policy = _policy ?? throw new InvalidOperationException("LocationService was created without an IArchiveAccessPolicy, so it cannot decide for a caller.");
        await policy.RequireChangeAsync(caller, await _files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<StorageRoom> RoomAsync(string roomCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(roomCode))
        {
            throw new ArchiveValidationException("roomCode", "required", "The storage room (mã kho) is required.");
        }

        return (await _rooms.GetAsync(roomCode, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("storage-room", roomCode);
    }

    /// <summary>The record files placed in the room (and box) that the caller may read, read from storage.</summary>
    private async ValueTask<List<Versioned<RecordFile>>> InRoomAsync(string roomCode, string? box, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("LocationService was created without an IArchiveAccessPolicy, so it cannot filter for a caller.");
        }

        var found = new List<Versioned<RecordFile>>();
        await foreach (var f in _files.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (f.Value.Location is not { } l || !string.Equals(l.RoomCode, roomCode, StringComparison.Ordinal)
                || (box is not null && !string.Equals(l.BoxNumber, box, StringComparison.Ordinal)))
            {
                continue;
            }

            if (caller is not null && !await _policy!.CanReadAsync(caller, f.Value, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            found.Add(f);
        }

        return found;
    }

    private static SortedDictionary<string, List<RecordFile>> Boxes(List<Versioned<RecordFile>> files)
    {
        var boxes = new SortedDictionary<string, List<RecordFile>>(BoxOrder);
        foreach (var f in files)
        {
            var key = f.Value.Location!.BoxNumber;
            if (!boxes.TryGetValue(key, out var list))
            {
                boxes[key] = list = [];
            }

            list.Add(f.Value);
        }

        foreach (var list in boxes.Values)
        {
            list.Sort(InBox);
        }

        return boxes;
    }

    private static BoxSummary Summary(string roomCode, string box, List<RecordFile> files)
    {
        static string? Join(IEnumerable<string?> values)
            => values.Where(v => v is not null).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } d ? string.Join("; ", d) : null;

        return new BoxSummary
        {
            RoomCode = roomCode,
            BoxNumber = box,
            Shelf = Join(files.Select(f => f.Location!.Shelf)),
            Compartment = Join(files.Select(f => f.Location!.Compartment)),
            Files = files.Count,
            FirstFile = files.FirstOrDefault()?.FileNotation,
            LastFile = files.LastOrDefault()?.FileNotation,
            FromYear = files.Count == 0 ? null : files.Min(f => f.StartDate?.Year ?? f.FileCatalog),
            ToYear = files.Count == 0 ? null : files.Max(f => f.EndDate?.Year ?? f.FileCatalog),
        };
    }

    private static string? Years(int? from, int? to) => (from, to) switch
    {
        (null, null) => null,
        ({ } a, { } b) when a != b => a.ToString(CultureInfo.InvariantCulture) + " - " + b.ToString(CultureInfo.InvariantCulture),
        _ => (from ?? to)!.Value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Box numbers with numbers compared as numbers (box 2 before box 10).</summary>
    private static readonly Comparer<string> BoxOrder = Comparer<string>.Create(CatalogueService.NaturalCompare);

    /// <summary>Inside a box: numbered positions first, then year formed, notation (numbers as numbers) and code.</summary>
    private static readonly Comparer<RecordFile> InBox = Comparer<RecordFile>.Create((a, b) =>
    {
        var c = (a.Location?.PositionInBox ?? int.MaxValue).CompareTo(b.Location?.PositionInBox ?? int.MaxValue);
        c = c != 0 ? c : a.FileCatalog.CompareTo(b.FileCatalog);
        c = c != 0 ? c : CatalogueService.NaturalCompare(a.FileNotation, b.FileNotation);
        return c != 0 ? c : string.CompareOrdinal(a.FileCode, b.FileCode);
    });

    /// <summary>Shelf order: giá, khoang, hộp, then the order inside the box.</summary>
    private static readonly Comparer<RecordFile> OnShelves = Comparer<RecordFile>.Create((a, b) =>
    {
        var c = CatalogueService.NaturalCompare(a.Location!.Shelf ?? string.Empty, b.Location!.Shelf ?? string.Empty);
        c = c != 0 ? c : CatalogueService.NaturalCompare(a.Location.Compartment ?? string.Empty, b.Location.Compartment ?? string.Empty);
        c = c != 0 ? c : CatalogueService.NaturalCompare(a.Location.BoxNumber, b.Location.BoxNumber);
        return c != 0 ? c : InBox.Compare(a, b);
    });

    private static string Describe(PhysicalLocation? l) => l is null
        ? "(no location)"
        : "room " + l.RoomCode
            + (l.Shelf is { } s ? ", shelf " + s : string.Empty)
            + (l.Compartment is { } c ? ", compartment " + c : string.Empty)
            + ", box " + l.BoxNumber
            + (l.PositionInBox is { } p ? ", position " + p.ToString(CultureInfo.InvariantCulture) : string.Empty);

    private static string Describe(DigitalCarrier? c) => c is null
        ? "(no carrier)"
        : c.Medium + (c.DeviceLabel is { } d ? ", device " + d : string.Empty) + (c.SealNumber is { } s ? ", seal " + s : string.Empty);

    private static void Throw(List<ValidationError> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    private ILocationDocumentWriter Writer() => _writer ?? throw new InvalidOperationException(
        "LocationService prints box labels and location reports with an ILocationDocumentWriter and none is registered: call .AddOpenXmlDocuments() (package Archive.Documents) "
        + "or .AddEmbeddedDefaults() (package Archive.Embedded) on the builder returned by services.AddArchive(...).");

    private const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string DocxMediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    [GeneratedRegex(@"^-?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd} .\-/]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();
}
