using System.Globalization;
using System.Text;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using Microsoft.Extensions.Logging;

namespace Archive.Migration;

/// <summary>From the rows of one record file to what is imported, or to the rows' errors.</summary>
public sealed partial class MigrationService
{
    private const int FileCodeColumn = 0;
    private const int FondsColumn = 1;
    private const int CatalogColumn = 2;
    private const int NotationColumn = 3;
    private const int OrganColumn = 4;
    private const int TitleColumn = 5;
    private const int MaintenanceColumn = 6;
    private const int RightsColumn = 8;
    private const int StartDateColumn = 11;
    private const int EndDateColumn = 12;
    private const int DocOrdinalColumn = 15;
    private const int IssuedDateColumn = 19;
    private const int PageAmountColumn = 23;
    private const int PathColumn = 25;
    private const int ShaColumn = 26;
    private const int MediaTypeColumn = 27;

    private async ValueTask<Plan> PrepareAsync(List<MigrationRow> rows, RunState run, CancellationToken cancellationToken)
    {
        var plan = new Plan(rows);
        var first = plan.First;
        if (plan.FileCode.Length == 0)
        {
            foreach (var row in rows)
            {
                plan.Add(this, row, FileCodeColumn, "required", "Give the record file code (fileCode).");
            }

            return plan;
        }

        // The record file's own columns, the same on each of its rows.
        foreach (var row in rows.Skip(1))
        {
            for (var c = 0; c < MigrationManifest.FirstDocumentColumn; c++)
            {
                if (!string.Equals(row[c], first[c], StringComparison.Ordinal))
                {
                    plan.Add(this, row, c, MigrationRules.FileColumnsDiffer, $"{MigrationManifest.Columns[c]} is '{row[c]}' here but '{first[c]}' on row {first.Row} of the same record file.");
                }
            }
        }

        var fondsCode = Required(plan, first, FondsColumn);
        var notation = Required(plan, first, NotationColumn);
        int catalog = 0;
        if (Required(plan, first, CatalogColumn) is { } catalogText && !int.TryParse(catalogText, NumberStyles.None, CultureInfo.InvariantCulture, out catalog))
        {
            plan.Add(this, first, CatalogColumn, "format", $"fileCatalog '{catalogText}' is not a year (a whole number such as 2016).");
        }

        RetentionPeriod? maintenance = null;
        if (first[MaintenanceColumn] is { } m)
        {
            if (RetentionPeriod.TryParse(m, out var period))
            {
                maintenance = period;
            }
            else
            {
                plan.Add(this, first, MaintenanceColumn, "format", $"maintenance '{m}' is not a retention such as 'Vĩnh viễn', '10 năm' or 'permanent'.");
            }
        }

        var rights = AccessLevel.Public;
        if (first[RightsColumn] is { } r && ParseRights(r) is not { } parsedRights)
        {
            plan.Add(this, first, RightsColumn, "enum", $"rights '{r}' is not one of the allowed values: Public, Conditional, Secret (Công khai, Sử dụng có điều kiện, Mật).");
        }
        else if (first[RightsColumn] is { } given)
        {
            rights = ParseRights(given)!.Value;
        }

        var start = Date(plan, first, StartDateColumn);
        var end = Date(plan, first, EndDateColumn);

        // The fonds: it exists, the caller may change it, and the code is the one its agency, year and notation compose.
        if (fondsCode is not null)
        {
            var (agencyId, refusal) = await FondsAsync(fondsCode, plan.FileCode, run, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                plan.Add(this, first, FondsColumn, refusal.Rule, refusal.Message);
            }
            else if (agencyId is not null && notation is not null && catalog > 0)
            {
                var composed = RecordFile.ComposeFileCode(first[OrganColumn] ?? agencyId, catalog, notation);
                if (!string.Equals(composed, plan.FileCode, StringComparison.Ordinal))
                {
                    plan.Add(this, first, FileCodeColumn, MigrationRules.FileCodeMismatch, $"The record file code '{plan.FileCode}' is not the one its agency, year and notation compose ('{composed}').");
                }
            }
        }

        // Documents and their content files.
        var documents = new Dictionary<string, DocPlan>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var hasDocument = row.Json
                ? row.DocIndex is not null
                : Enumerable.Range(MigrationManifest.FirstDocumentColumn, MigrationManifest.Columns.Length - MigrationManifest.FirstDocumentColumn).Any(c => row[c] is not null);
            if (!hasDocument)
            {
                continue;
            }

            var key = row.DocIndex is { } di ? "j" + di.ToString(CultureInfo.InvariantCulture) : row[DocOrdinalColumn] is { } o ? "o" + o : "r" + row.Seq.ToString(CultureInfo.InvariantCulture);
            if (!documents.TryGetValue(key, out var doc))
            {
                doc = new DocPlan(row);
                documents.Add(key, doc);
                plan.Documents.Add(doc);
            }
            else
            {
                for (var c = MigrationManifest.FirstDocumentColumn; c < MigrationManifest.FirstContentColumn; c++)
                {
                    if (!string.Equals(row[c], doc.First[c], StringComparison.Ordinal))
                    {
                        plan.Add(this, row, c, MigrationRules.DocumentColumnsDiffer, $"{MigrationManifest.Columns[c]} is '{row[c]}' here but '{doc.First[c]}' on row {doc.First.Row} of the same document.");
                    }
                }
            }

            if (row[PathColumn] is { } path)
            {
                if (row[ShaColumn] is null)
                {
                    plan.Add(this, row, ShaColumn, "required", "Give the content file's SHA-256 (sha256).");
                }

                if (!doc.Paths.Add(path))
                {
                    plan.Add(this, row, PathColumn, MigrationRules.RowDuplicate, $"The content '{path}' is listed twice for this document.");
                    continue;
                }

                var (full, rule, message) = MigrationExport.Resolve(run.Root, path);
                if (full is null)
                {
                    plan.Add(this, row, PathColumn, rule!, message!);
                    continue;
                }

                doc.Contents.Add((row, full));
            }
            else if (row[ShaColumn] is not null)
            {
                plan.Add(this, row, PathColumn, "required", "A SHA-256 is given without the content's path (contentPath).");
            }
            else if (!ReferenceEquals(doc.First, row))
            {
                plan.Add(this, row, DocOrdinalColumn, MigrationRules.RowDuplicate, "This document is listed twice without a content file.");
            }
        }

        // Ordinals as the engine assigns them (given, else the next), so that a comparison with a stored file is exact.
        var next = 1;
        foreach (var doc in plan.Documents)
        {
            int? ordinal = null;
            if (doc.First[DocOrdinalColumn] is { } text)
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 999)
                {
                    ordinal = n;
                }
                else
                {
                    plan.Add(this, doc.First, DocOrdinalColumn, "format", $"docOrdinal '{text}' is not a number from 1 to 999.");
                }
            }

            var assigned = ordinal ?? next;
            next = Math.Max(next, assigned + 1);
            int? pages = null;
            if (doc.First[PageAmountColumn] is { } pageText)
            {
                if (int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var pageCount))
                {
                    pages = pageCount;
                }
                else
                {
                    plan.Add(this, doc.First, PageAmountColumn, "format", $"pageAmount '{pageText}' is not a whole number.");
                }
            }

            var f = doc.First;
            doc.Input = new DocumentInput
            {
                DocOrdinal = assigned,
                TypeName = f[16],
                CodeNumber = f[17],
                CodeNotation = f[18],
                IssuedDate = Date(plan, f, IssuedDateColumn),
                OrganName = f[20],
                Subject = f[21],
                Language = f[22] ?? "Tiếng Việt",
                PageAmount = pages,
                Description = f[24],
            };
        }

        if (plan.Errors.Count > 0)
        {
            return plan;
        }

        var input = new RecordFileInput
        {
            FondsCode = fondsCode!,
            FileCatalog = catalog,
            FileNotation = notation!,
            OrganId = first[OrganColumn],
            Title = first[TitleColumn] ?? string.Empty,
            Maintenance = maintenance,
            ScheduleItemCode = first[7],
            Rights = rights,
            Creator = first[9],
            Language = first[10] ?? "Tiếng Việt",
            StartDate = start,
            EndDate = end,
            Description = first[13],
            Keywords = first[14] is { } k ? k.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
        };

        // Already here? The same content is skipped; other content is reported, never overwritten.
        var existing = await _files.GetAsync(plan.FileCode, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (run.Caller is not null && _policy is not null && !await _policy.CanReadAsync(run.Caller, existing.Value, cancellationToken).ConfigureAwait(false))
            {
                // As an import of a taken code: refused the same way, audited as a collision (classified as the file is).
                await _policy.AuditCodeCollisionAsync(run.Caller, plan.FileCode, cancellationToken).ConfigureAwait(false);
                plan.Add(this, first, FileCodeColumn, MigrationRules.ExistsDifferent, $"A record file with the code '{plan.FileCode}' exists with other content; it is not overwritten.");
            }
            else if (Same(existing.Value, input, plan))
            {
                plan.Skipped = true;
            }
            else
            {
                plan.Add(this, first, FileCodeColumn, MigrationRules.ExistsDifferent, $"A record file with the code '{plan.FileCode}' exists with other content; it is not overwritten.");
            }

            return plan;
        }

        var imports = new List<DocumentImport>(plan.Documents.Count);
        foreach (var doc in plan.Documents)
        {
            var contents = new List<ContentUpload>(doc.Contents.Count);
            foreach (var (row, full) in doc.Contents)
            {
                var stream = new LazyFileStream(full);
                plan.Streams.Add(stream);
                contents.Add(new ContentUpload { FileName = FileNameOf(row[PathColumn]!), Content = stream, MediaType = row[MediaTypeColumn], ExpectedSha256 = row[ShaColumn] });
            }

            imports.Add(new DocumentImport { Document = doc.Input!, Contents = contents });
        }

        plan.Import = new RecordFileImport { File = input, Documents = imports };
        return plan;
    }

    /// <summary>Whether a stored record file holds what the rows give: same fonds and title, same documents with the same content files (names and SHA-256).</summary>
    private static bool Same(RecordFile stored, RecordFileInput input, Plan plan)
    {
        if (!string.Equals(stored.FondsCode, input.FondsCode, StringComparison.Ordinal)
            || !string.Equals(stored.Title.Normalize(NormalizationForm.FormC), input.Title.Trim().Normalize(NormalizationForm.FormC), StringComparison.Ordinal)
            || stored.Documents.Count != plan.Documents.Count)
        {
            return false;
        }

        foreach (var doc in plan.Documents)
        {
            var match = stored.Documents.FirstOrDefault(d => d.DocOrdinal == doc.Input!.DocOrdinal);
            if (match is null || match.Contents.Count != doc.Contents.Count)
            {
                return false;
            }

            var expected = doc.Contents.Select(c => (FileNameOf(c.Row[PathColumn]!).ToUpperInvariant(), c.Row[ShaColumn]!.ToUpperInvariant())).Order().ToList();
            var actual = match.Contents.Select(c => (c.Name.ToUpperInvariant(), c.Sha256.ToUpperInvariant())).Order().ToList();
            if (!expected.SequenceEqual(actual))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<(string? AgencyId, ValidationError? Refusal)> FondsAsync(string fondsCode, string fileCode, RunState run, CancellationToken cancellationToken)
    {
        if (run.Fonds.TryGetValue(fondsCode, out var known))
        {
            return known;
        }

        var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        (string? AgencyId, ValidationError? Refusal) result;
        if (fonds is null)
        {
            result = (null, new ValidationError("fondsCode", "not-found", $"Fonds '{fondsCode}' does not exist."));
        }
        else if (run.Caller is not null && _policy is not null)
        {
            try
            {
                await _policy.RequireFondsChangeAsync(run.Caller, fondsCode, "record-file", fileCode, cancellationToken).ConfigureAwait(false);
                result = (fonds.Value.AgencyId, null);
            }
            catch (ArchiveAccessDeniedException ex)
            {
                result = (null, new ValidationError("fondsCode", ex.Rule, ex.Message));
            }
            catch (ArchiveNotFoundException ex)
            {
                result = (null, new ValidationError("fondsCode", "not-found", ex.Message));
            }
        }
        else
        {
            result = (fonds.Value.AgencyId, null);
        }

        run.Fonds[fondsCode] = result;
        return result;
    }

    private string? Required(Plan plan, MigrationRow row, int column)
    {
        var value = row[column];
        if (value is null)
        {
            plan.Add(this, row, column, "required", $"Give {MigrationManifest.Columns[column]}.");
        }

        return value;
    }

    private DateOnly? Date(Plan plan, MigrationRow row, int column)
    {
        if (row[column] is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        plan.Add(this, row, column, "format", $"{MigrationManifest.Columns[column]} '{text}' is not a date (yyyy-MM-dd or dd/MM/yyyy).");
        return null;
    }

    private static AccessLevel? ParseRights(string text) => text.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant() switch
    {
        "public" or "công khai" or "cong khai" => AccessLevel.Public,
        "conditional" or "sử dụng có điều kiện" or "su dung co dieu kien" or "hạn chế" => AccessLevel.Conditional,
        "secret" or "mật" or "mat" => AccessLevel.Secret,
        _ => null,
    };

    private static string FileNameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    [LoggerMessage(EventId = 1980, EventName = "MigrationCompleted", Level = LogLevel.Information, Message = "Migration {JobId} completed: {Imported} record files imported, {Skipped} skipped (already imported), {Failed} not imported (see its error report)")]
    private static partial void LogCompleted(ILogger logger, string jobId, long imported, long skipped, long failed);

    [LoggerMessage(EventId = 1981, EventName = "MigrationFailed", Level = LogLevel.Warning, Message = "Migration {JobId} refused as a whole, nothing imported: {Reason}")]
    private static partial void LogFailed(ILogger logger, string jobId, string reason);
}
