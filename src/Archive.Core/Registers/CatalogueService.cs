using System.Globalization;
using Archive.Documents;
using Archive.Handover;
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
/// (the writers stream the rows into the file), never a file's documents or contents.
/// </summary>
public sealed class CatalogueService
{
    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IOfficeDocumentWriter _writer;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly TimeProvider _time;

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

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var fonds = (await _fonds.GetAsync(request.FondsCode, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new ArchiveNotFoundException("fonds", request.FondsCode);
        var rows = new List<(int Catalog, string Notation, string Code, CatalogueEntry Entry, DateOnly? Start, DateOnly? End)>();
        await foreach (var versioned in _files.ListAsync(new RecordFileQuery { FondsCode = fonds.Code }, cancellationToken).ConfigureAwait(false))
        {
            var f = versioned.Value;
            if (f.Status != request.Status || f.NonArchival is not null)
            {
                continue;
            }

            if (request.Year is { } year && f.FileCatalog != year)
            {
                continue;
            }

            if (caller is not null && !await _policy!.CanReadAsync(caller, f, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            rows.Add((f.FileCatalog, f.FileNotation, f.FileCode, HandoverDocuments.Entry(HandoverService.RowOf(f, rows.Count + 1, string.Empty)), f.StartDate, f.EndDate));
        }

        rows.Sort((a, b) =>
        {
            var c = a.Catalog.CompareTo(b.Catalog);
            c = c != 0 ? c : NaturalCompare(a.Notation, b.Notation);
            return c != 0 ? c : string.CompareOrdinal(a.Code, b.Code);
        });

        var document = await DocumentAsync(fonds, request, rows.Select(r => r.Start).Min(), rows.Select(r => r.End).Max(), cancellationToken).ConfigureAwait(false);
        var entries = rows.Select(r => r.Entry);
        var totals = request.Format switch
        {
            CatalogueFormat.Docx => _writer.WriteCatalogueDocx(document, entries, output),
            CatalogueFormat.Csv => CatalogueCsv.Write(document, entries, output),
            _ => _writer.WriteCatalogueXlsx(document, entries, output),
        };
        var (mediaType, extension) = request.Format switch
        {
            CatalogueFormat.Docx => ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
            CatalogueFormat.Csv => ("text/csv; charset=utf-8", "csv"),
            _ => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        };
        var name = (request.Status == RecordFileStatus.Unfinished ? "ho-so-chua-giai-quyet-xong-" : "muc-luc-ho-so-") + fonds.Code
            + (request.Year is { } yr ? "-" + yr.ToString(CultureInfo.InvariantCulture) : string.Empty) + "." + extension;
        return new CatalogueResult(totals, mediaType, name);
    }

    private async ValueTask<CatalogueDocument> DocumentAsync(Fonds fonds, CatalogueRequest request, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var custodianId = ArchiveAccessPolicy.CustodianOf(fonds);
        var holder = (await _agencies.GetAsync(custodianId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = holder?.ParentId is { } parentId ? (await _agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var now = _time.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        var fondsLine = HandoverDocuments.FondsName(fonds, "Phông:") + " (" + fonds.Code + ")";
        var years = request.Year is { } y ? "Năm: " + y.ToString(CultureInfo.InvariantCulture) : HandoverDocuments.YearsLine(from, to);
        return new CatalogueDocument
        {
            Kind = request.Status == RecordFileStatus.Unfinished ? CatalogueKind.UnfinishedFiles : CatalogueKind.FileCatalogue,
            Heading = new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = holder?.Name ?? custodianId, Date = DateOnly.FromDateTime(now.DateTime) },
            Subtitles = years is null ? [fondsLine] : [fondsLine, years],
            Signatures = [new Signature("Người lập", null), new Signature("Thủ trưởng cơ quan", null)],
        };
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
