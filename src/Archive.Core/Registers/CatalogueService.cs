using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Archive.Documents;
using Archive.Handover;
using Archive.IO;
using Archive.Records;
using Archive.Security;

namespace Archive.Registers;

/// <summary>The file format of a catalogue printed on demand.</summary>
public enum CatalogueFormat
{
    /// <summary>Excel workbook (the form of Decree 30, Appendix V), for editing and printing.</summary>
    Xlsx = 0,

    /// <summary>Word document with the same table, for printing and signing.</summary>
    Docx = 1,

    /// <summary>UTF-8 CSV (with a byte-order mark, comma-separated, RFC 4180 quoting), for other systems.</summary>
    Csv = 2,
}

/// <summary>What to list in a catalogue of record files printed on demand.</summary>
public sealed record CatalogueRequest
{
    /// <summary>The fonds (phông) whose record files are listed.</summary>
    public required string FondsCode { get; init; }

    /// <summary>
    /// <see cref="RecordFileStatus.Finished"/> (default): the catalogue of record files (mục lục hồ sơ);
    /// <see cref="RecordFileStatus.Unfinished"/>: the list of unfinished files with what is left to do (danh sách hồ sơ
    /// chưa giải quyết xong).
    /// </summary>
    public RecordFileStatus Status { get; init; } = RecordFileStatus.Finished;

    /// <summary>Only the record files formed in this year (<see cref="RecordFile.FileCatalog"/>, năm hình thành hồ sơ); null for all years.</summary>
    public int? Year { get; init; }

    /// <summary>The file format.</summary>
    public CatalogueFormat Format { get; init; } = CatalogueFormat.Xlsx;

    /// <summary>
    /// Which list: <see cref="CatalogueKind.FileCatalogue"/> (default: mục lục hồ sơ, or the unfinished list by
    /// <see cref="Status"/>) or <see cref="CatalogueKind.FileList"/> (danh mục hồ sơ: number and notation, title,
    /// retention, creator, notes, in the files of <see cref="Status"/>). Other kinds are refused (<c>catalogue.kind</c>).
    /// </summary>
    public CatalogueKind Kind { get; init; } = CatalogueKind.FileCatalogue;

    /// <summary>
    /// A selection: only these record files (codes; a repeated code counts once), at most
    /// <see cref="CatalogueService.MaxSelection"/>; null or empty lists the whole fonds (or year). Each must be a
    /// record file of the fonds the caller may read — one that is not, or that the caller may not read, is refused the
    /// same way (<c>catalogue.selection-unknown</c>) — and of the status and year asked, not weeded out
    /// (<c>catalogue.selection-excluded</c>).
    /// </summary>
    public IReadOnlyList<string>? FileCodes { get; init; }
}

/// <summary>What to list in the catalogue of the documents inside one record file (mục lục văn bản).</summary>
public sealed record DocumentCatalogueRequest
{
    /// <summary>The record file (hồ sơ) whose documents are listed.</summary>
    public required string FileCode { get; init; }

    /// <summary>The file format.</summary>
    public CatalogueFormat Format { get; init; } = CatalogueFormat.Xlsx;
}

/// <summary>What a printed catalogue holds.</summary>
/// <param name="Totals">Files (permanent / fixed-term), sheets and pages, as printed on the total lines.</param>
/// <param name="MediaType">The media type of the written file.</param>
/// <param name="FileName">A file name for it (e.g. <c>muc-luc-ho-so-H01.xlsx</c>).</param>
public sealed record CatalogueResult(CatalogueTotals Totals, string MediaType, string FileName);

/// <summary>
/// Catalogues of record files on demand (issue #18): the catalogue of a fonds' finished record files (mục lục hồ sơ) or
/// the list of its unfinished ones, for one year or all, as XLSX, DOCX or CSV — the same tables a handover package
/// carries, printed at any time. The record files are read from storage (the system of record, not the search index),
/// only those the caller may read are listed (a Secret file without clearance is left out, not even counted), in order
/// of the year each file was formed, its notation (numbers compared as numbers) and its code; weeded-out files
/// (loại ra) are not listed. Memory holds one row per listed file
/// (the writers stream the rows into the file), never a file's documents or contents. The same tables as a file list
/// (danh mục hồ sơ, <see cref="CatalogueKind.FileList"/>), for a fonds, a year or a selection of record files; and
/// the catalogue of the documents inside one record file (mục lục văn bản, <see cref="WriteDocumentsAsync"/>).
/// </summary>
public sealed class CatalogueService
{
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IOfficeDocumentWriter _writer;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly TimeProvider _time;

    /// <summary>The most record files a selection may name (<c>catalogue.selection-size</c>): a hand-picked list; larger sets are a fonds or a year.</summary>
    public const int MaxSelection = 100;

    /// <summary>Creates the service; <paramref name="policy"/> filters the rows for a caller (null: no caller-based filtering).</summary>
    public CatalogueService(RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, IOfficeDocumentWriter writer, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(writer);
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _writer = writer;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Writes the catalogue into <paramref name="output"/> (synchronous writes: give a file or memory stream). With a
    /// <paramref name="caller"/> only the record files it may read are listed; without one (offline, the operator) all.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A field of the request is invalid (named in the error).</exception>
    /// <exception cref="ArchiveNotFoundException">The fonds does not exist.</exception>
    /// <exception cref="InvalidOperationException">A caller is given but the service has no access policy to filter for it.</exception>
    public async ValueTask<CatalogueResult> WriteAsync(CatalogueRequest request, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        if (caller is not null && _policy is null)
        {
            // Never list unfiltered for a caller: without a policy only the offline operator (no caller) may print.
            throw new InvalidOperationException("CatalogueService was created without an IArchiveAccessPolicy, so it cannot filter a catalogue for a caller.");
        }

        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.FondsCode))
        {
            errors.Add(new ValidationError("fondsCode", "fondsCode.required", "The fonds code is required."));
        }

        if (request.Year is { } y && (y < 1000 || y > _time.GetUtcNow().Year + 1))
        {
            errors.Add(new ValidationError("year", "catalogue.year-range", $"The year must be between 1000 and {_time.GetUtcNow().Year + 1}."));
        }

        if (!Enum.IsDefined(request.Format))
        {
            errors.Add(new ValidationError("format", "catalogue.format", "The format is Xlsx, Docx or Csv."));
        }

        if (!Enum.IsDefined(request.Status))
        {
            errors.Add(new ValidationError("status", "catalogue.status", "The status is Finished or Unfinished."));
        }

        if (request.Kind is not (CatalogueKind.FileCatalogue or CatalogueKind.FileList))
        {
            errors.Add(new ValidationError("kind", "catalogue.kind", "The kind is FileCatalogue (mục lục hồ sơ) or FileList (danh mục hồ sơ)."));
        }

        // The selection, in the caller's order without repeats (ordinal); a blank code can name no file.
        Dictionary<string, int>? selection = null;
        if (request.FileCodes is { Count: > 0 } codes)
        {
            selection = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < codes.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(codes[i]))
                {
                    errors.Add(new ValidationError($"fileCodes[{i}]", "catalogue.selection-unknown", "No record file of the fonds you may read has this code."));
                }
                else
                {
                    selection.TryAdd(codes[i], i);
                }
            }

            if (selection.Count > MaxSelection)
            {
                errors.Add(new ValidationError("fileCodes", "catalogue.selection-size", $"A selection names at most {MaxSelection} record files ({selection.Count} given); list a fonds or a year instead."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var fonds = (await _fonds.GetAsync(request.FondsCode, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("fonds", request.FondsCode);
        // Rows are sorted on disk past a few thousand (ExternalSort), so a fonds of 100,000 files prints in flat memory.
        using var rows = new ExternalSort<SortRow>(SortRowOrder.Instance, SortRowJson, _files.TempPath, RunSize);
        var count = 0;
        DateOnly? from = null, to = null;
        var excluded = new List<ValidationError>();
        await foreach (var versioned in _files.ListAsync(new RecordFileQuery { FondsCode = fonds.Code }, cancellationToken).ConfigureAwait(false))
        {
            var f = versioned.Value;
            int index = -1;
            if (selection is not null && !selection.Remove(f.FileCode, out index))
            {
                continue;
            }

            var wanted = f.Status == request.Status && f.NonArchival is null && (request.Year is not { } year || f.FileCatalog == year);
            if (selection is null && !wanted)
            {
                continue;
            }

            if (caller is not null && !await _policy!.CanReadAsync(caller, f, cancellationToken).ConfigureAwait(false))
            {
                if (selection is not null)
                {
                    // Named but not readable: answered as a code that is not in the fonds (left in the selection).
                    selection[f.FileCode] = index;
                }

                continue;
            }

            if (!wanted)
            {
                excluded.Add(new ValidationError($"fileCodes[{index}]", "catalogue.selection-excluded",
                    f.NonArchival is not null ? "The record file is weeded out (loại ra) and is not listed." : $"The record file is not a {request.Status} file{(request.Year is { } y2 ? " formed in " + y2.ToString(CultureInfo.InvariantCulture) : string.Empty)}."));
                continue;
            }

            var entry = HandoverDocuments.Entry(HandoverService.RowOf(f, ++count, string.Empty));
            if (request.Kind == CatalogueKind.FileList)
            {
                entry = entry with { Creator = f.Creator };
            }

            rows.Add(new SortRow(f.FileCatalog, f.FileNotation, f.FileCode, entry));
            from = f.StartDate is { } start && (from is null || start < from) ? start : from;
            to = f.EndDate is { } end && (to is null || end > to) ? end : to;
        }

        if (selection is { Count: > 0 } || excluded.Count > 0)
        {
            if (caller is not null)
            {
                foreach (var code in (selection ?? []).Keys)
                {
                    try
                    {
                        // The refusal is audited as a refused read (auth.denied, classified as the file is, so only cleared
                        // auditors tell a hidden file from a missing one), after the same storage work for both.
                        await _policy!.RequireReadAsync(caller, await _files.GetAsync(code, cancellationToken).ConfigureAwait(false), code, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ArchiveNotFoundException)
                    {
                    }
                }
            }

            // Nothing is written: every code the caller may not know of, then every readable one of the wrong kind.
            throw new ArchiveValidationException([
                .. (selection ?? []).OrderBy(s => s.Value).Select(s => new ValidationError($"fileCodes[{s.Value}]", "catalogue.selection-unknown", "No record file of the fonds you may read has this code.")),
                .. excluded]);
        }

        var document = await DocumentAsync(fonds, request, from, to, cancellationToken).ConfigureAwait(false);
        var entries = rows.Sorted().Select(r => r.Entry);
        var prefix = request.Kind == CatalogueKind.FileList ? "danh-muc-ho-so-" : request.Status == RecordFileStatus.Unfinished ? "ho-so-chua-giai-quyet-xong-" : "muc-luc-ho-so-";
        return Write(document, entries, request.Format, prefix + fonds.Code + (request.Year is { } yr ? "-" + yr.ToString(CultureInfo.InvariantCulture) : string.Empty), output);
    }

    /// <summary>
    /// Writes the catalogue of the documents inside one record file (mục lục văn bản) into <paramref name="output"/>
    /// (synchronous writes): STT, number and notation, date, type and summary, author, sheet/page (counted from the
    /// documents' page counts), notes — in the file's document order; weeded-out documents are not listed. With a
    /// <paramref name="caller"/> the file must be one it may read: otherwise, as for a missing file, the engine's
    /// refusal (audited, <see cref="ArchiveNotFoundException"/>) and nothing written.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A field of the request is invalid (named in the error).</exception>
    /// <exception cref="ArchiveNotFoundException">No record file the caller may read has this code.</exception>
    /// <exception cref="InvalidOperationException">A caller is given but the service has no access policy to filter for it.</exception>
    public async ValueTask<CatalogueResult> WriteDocumentsAsync(DocumentCatalogueRequest request, ArchiveCaller? caller, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("CatalogueService was created without an IArchiveAccessPolicy, so it cannot check a caller's access to a record file.");
        }

        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.FileCode))
        {
            errors.Add(new ValidationError("fileCode", "fileCode.required", "The record file code is required."));
        }

        if (!Enum.IsDefined(request.Format))
        {
            errors.Add(new ValidationError("format", "catalogue.format", "The format is Xlsx, Docx or Csv."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var found = await _files.GetAsync(request.FileCode, cancellationToken).ConfigureAwait(false);
        var file = (caller is null
            ? found ?? throw new ArchiveNotFoundException("record-file", request.FileCode)
            : await _policy!.RequireReadAsync(caller, found, request.FileCode, cancellationToken).ConfigureAwait(false)).Value;
        var fonds = (await _fonds.GetAsync(file.FondsCode, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("fonds", file.FondsCode);
        var heading = await HeadingAsync(fonds, cancellationToken).ConfigureAwait(false);
        var document = new CatalogueDocument
        {
            Kind = CatalogueKind.DocumentCatalogue,
            Heading = heading,
            Subtitles =
            [
                HandoverDocuments.FondsName(fonds, "Phông:") + " (" + fonds.Code + ")",
                "Hồ sơ số: " + file.FileNotation + " — " + file.Title,
                .. HandoverDocuments.YearsLine(file.StartDate, file.EndDate) is { } years ? [years] : Array.Empty<string>(),
            ],
            Signatures = [new Signature("Người lập", null)],
        };
        return Write(document, DocumentEntries(file), request.Format, "muc-luc-van-ban-" + file.FileCode, output);
    }

    /// <summary>The documents of a record file as catalogue rows, in document order, with the sheet/page each starts on.</summary>
    internal static IEnumerable<CatalogueEntry> DocumentEntries(RecordFile file)
    {
        var page = 1;
        foreach (var d in file.Documents.Where(d => d.NonArchival is null).OrderBy(d => d.DocOrdinal))
        {
            var position = d.PageAmount switch
            {
                <= 0 => null,
                1 => page.ToString(CultureInfo.InvariantCulture),
                _ => page.ToString(CultureInfo.InvariantCulture) + "-" + (page + d.PageAmount - 1).ToString(CultureInfo.InvariantCulture),
            };
            page += Math.Max(0, d.PageAmount);
            yield return new CatalogueEntry
            {
                FileNotation = d.NumberAndSymbol ?? d.CodeNumber ?? string.Empty,
                Title = string.Join(": ", new[] { d.TypeName, d.Subject }.Where(t => !string.IsNullOrWhiteSpace(t))),
                StartDate = d.IssuedDate,
                Retention = string.Empty,
                Creator = d.OrganName,
                Position = position,
                Pages = d.PageAmount > 0 ? d.PageAmount : null,
                Notes = d.Description,
            };
        }
    }

    private CatalogueResult Write(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, CatalogueFormat format, string name, Stream output)
    {
        var totals = format switch
        {
            CatalogueFormat.Docx => _writer.WriteCatalogueDocx(document, entries, output),
            CatalogueFormat.Csv => CatalogueCsv.Write(document, entries, output),
            _ => _writer.WriteCatalogueXlsx(document, entries, output),
        };
        var (mediaType, extension) = format switch
        {
            CatalogueFormat.Docx => ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
            CatalogueFormat.Csv => ("text/csv; charset=utf-8", "csv"),
            _ => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        };
        return new CatalogueResult(totals, mediaType, name + "." + extension);
    }

    private async ValueTask<DocumentHeading> HeadingAsync(Fonds fonds, CancellationToken cancellationToken)
    {
        var custodianId = ArchiveAccessPolicy.CustodianOf(fonds);
        var holder = (await _agencies.GetAsync(custodianId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = holder?.ParentId is { } parentId ? (await _agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var now = _time.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        return new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = holder?.Name ?? custodianId, Date = DateOnly.FromDateTime(now.DateTime) };
    }

    private async ValueTask<CatalogueDocument> DocumentAsync(Fonds fonds, CatalogueRequest request, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var heading = await HeadingAsync(fonds, cancellationToken).ConfigureAwait(false);
        var fondsLine = HandoverDocuments.FondsName(fonds, "Phông:") + " (" + fonds.Code + ")";
        var years = request.Year is { } y ? "Năm: " + y.ToString(CultureInfo.InvariantCulture) : HandoverDocuments.YearsLine(from, to);
        return new CatalogueDocument
        {
            Kind = request.Kind == CatalogueKind.FileList ? CatalogueKind.FileList : request.Status == RecordFileStatus.Unfinished ? CatalogueKind.UnfinishedFiles : CatalogueKind.FileCatalogue,
            Heading = heading,
            RetentionColumnTitle = request.Kind == CatalogueKind.FileList ? "Thời hạn lưu trữ" : "Thời hạn bảo quản",
            Subtitles = years is null ? [fondsLine] : [fondsLine, years],
            Signatures = [new Signature("Người lập", null), new Signature("Thủ trưởng cơ quan", null)],
        };
    }

    /// <summary>Rows held in memory before they are sorted on disk (tests lower it to exercise the merge).</summary>
    internal int RunSize { get; init; } = ExternalSort<SortRow>.DefaultRunSize;

    private static readonly JsonTypeInfo<SortRow> SortRowJson = (JsonTypeInfo<SortRow>)new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() }.GetTypeInfo(typeof(SortRow));

    /// <summary>A catalogue row with its sort key: year formed, then notation (numbers as numbers), then code.</summary>
    internal sealed record SortRow(int Catalog, string Notation, string Code, CatalogueEntry Entry);

    private sealed class SortRowOrder : IComparer<SortRow>
    {
        public static readonly SortRowOrder Instance = new();

        public int Compare(SortRow? a, SortRow? b)
        {
            var c = a!.Catalog.CompareTo(b!.Catalog);
            c = c != 0 ? c : NaturalCompare(a.Notation, b.Notation);
            return c != 0 ? c : string.CompareOrdinal(a.Code, b.Code);
        }
    }

    /// <summary>Orders notations with their numbers compared as numbers: <c>2.TCCB</c> before <c>10.TCCB</c>.</summary>
    internal static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i;
                var sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }

                var na = a.AsSpan(si, i - si).TrimStart('0');
                var nb = b.AsSpan(sj, j - sj).TrimStart('0');
                var c = na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : na.SequenceCompareTo(nb);
                if (c != 0)
                {
                    return c;
                }

                continue;
            }

            var d = char.ToUpperInvariant(a[i]).CompareTo(char.ToUpperInvariant(b[j]));
            if (d != 0)
            {
                return d;
            }

            i++;
            j++;
        }

        return (a.Length - i).CompareTo(b.Length - j) is var rest && rest != 0 ? rest : string.CompareOrdinal(a, b);
    }
}
