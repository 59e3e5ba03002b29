using System.Globalization;
using System.Text;
using System.Text.Json;
using Archive.Records;

namespace Archive.Retention;

/// <summary>
/// Reads and writes retention schedules as JSON and CSV, and validates them.
/// </summary>
/// <remarks>
/// <para>JSON: the <see cref="RetentionSchedule"/> shape in camelCase (<c>id</c>, <c>title</c>, <c>source</c>,
/// <c>categories[] {code, title, parentCode}</c>, <c>items[] {code, title, categoryCode, retention, disposition,
/// source, notes}</c>); <c>retention</c> is <c>permanent</c>, <c>until-superseded</c>, <c>10y</c>, <c>10 năm</c>,
/// <c>Vĩnh viễn</c>...; <c>disposition</c> (<c>reviewForDestruction</c> or <c>transferToHistoricalArchives</c>) may be
/// left out and then follows the period (permanent → transfer).</para>
/// <para>CSV (UTF-8, with or without BOM; separator ',', ';' or tab, detected from the header; RFC 4180 quotes): one
/// header row, then one row per item. Columns, in any order, by English or Vietnamese name (case and diacritics
/// ignored): <c>code</c> (mã, mã số, số thứ tự, stt) — required; <c>title</c> (tên nhóm hồ sơ, tên hồ sơ, tiêu đề,
/// tên) — required; <c>retention</c> (thời hạn lưu trữ, thời hạn bảo quản, thời hạn); <c>category</c> (nhóm, danh
/// mục, mã nhóm); <c>disposition</c> (xử lý, hình thức xử lý: <c>nộp lưu</c>/<c>transfer</c> or
/// <c>tiêu hủy</c>/<c>review</c>); <c>source</c> (nguồn, căn cứ); <c>notes</c> (ghi chú). A row with an empty
/// retention is a category heading (its <c>category</c> cell, if any, names the parent category).</para>
/// </remarks>
public static class RetentionScheduleFormats
{
    /// <summary>Largest schedule file accepted (bytes).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Longest item or category code.</summary>
    public const int CodeMax = 50;

    /// <summary>Longest title.</summary>
    public const int TitleMax = 500;

    private static readonly Dictionary<string, string> HeaderAliases = BuildAliases();

    /// <summary>Reads a schedule in the JSON form; validation errors name the JSON path.</summary>
    /// <param name="json">The JSON (UTF-8).</param>
    /// <param name="inheritedCategories">Categories the schedule may refer to without defining them (e.g. the default's).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">The JSON is malformed or breaks a rule.</exception>
    public static async ValueTask<RetentionSchedule> ReadJsonAsync(Stream json, IEnumerable<RetentionCategory>? inheritedCategories = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var limited = new MemoryStream();
        await CopyLimitedAsync(json, limited, cancellationToken).ConfigureAwait(false);
        limited.Position = 0;
        ScheduleDto? dto;
        try
        {
            dto = await JsonSerializer.DeserializeAsync<ScheduleDto>(limited, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new ArchiveValidationException(ex.Path is { Length: > 0 } p ? p.TrimStart('$', '.') : "schedule", "schedule.json", $"The schedule JSON cannot be read: {ex.Message}");
        }

        if (dto is null)
        {
            throw new ArchiveValidationException("schedule", "schedule.json", "The schedule JSON is 'null'.");
        }

        var errors = new List<ValidationError>();
        var items = new List<RetentionScheduleItem>();
        var dtoItems = dto.Items ?? [];
        for (var i = 0; i < dtoItems.Count; i++)
        {
            var d = dtoItems[i];
            var field = $"items[{i}]";
            if (d is null)
            {
                errors.Add(new(field, "required", "An item must not be null."));
                continue;
            }

            if (!RetentionPeriod.TryParse(d.Retention, out var period))
            {
                errors.Add(new(field + ".retention", "retention.format", $"'{d.Retention}' is not a retention period: use 'permanent', 'until-superseded' or a number of years such as '10y'."));
                continue;
            }

            DispositionAction disposition;
            if (string.IsNullOrWhiteSpace(d.Disposition))
            {
                disposition = DefaultDisposition(period);
            }
            else if (!TryParseDisposition(d.Disposition, out disposition))
            {
                errors.Add(new(field + ".disposition", "disposition.format", $"'{d.Disposition}' is not a disposition: use 'reviewForDestruction' or 'transferToHistoricalArchives'."));
                continue;
            }

            items.Add(new RetentionScheduleItem
            {
                Code = d.Code?.Trim() ?? string.Empty,
                Title = d.Title?.Trim() ?? string.Empty,
                CategoryCode = NullIfBlank(d.CategoryCode),
                Retention = period,
                Disposition = disposition,
                Source = NullIfBlank(d.Source),
                Notes = NullIfBlank(d.Notes),
            });
        }

        var schedule = new RetentionSchedule
        {
            Id = dto.Id?.Trim() ?? string.Empty,
            Title = dto.Title?.Trim() ?? string.Empty,
            Source = NullIfBlank(dto.Source),
            AgencyId = NullIfBlank(dto.AgencyId),
            Categories = (dto.Categories ?? []).Where(c => c is not null).Select(c => new RetentionCategory(c!.Code?.Trim() ?? string.Empty, c.Title?.Trim() ?? string.Empty, NullIfBlank(c.ParentCode))).ToList(),
            Items = items,
        };
        errors.AddRange(Validate(schedule, inheritedCategories));
        return errors.Count == 0 ? schedule : throw new ArchiveValidationException(errors);
    }

    /// <summary>Reads a schedule in the CSV form (see the class remarks for the columns).</summary>
    /// <param name="csv">The CSV text (UTF-8).</param>
    /// <param name="id">Schedule id to give the result.</param>
    /// <param name="title">Schedule title to give the result.</param>
    /// <param name="inheritedCategories">Categories the schedule may refer to without defining them (e.g. the default's).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ArchiveValidationException">The CSV is malformed or breaks a rule; errors name <c>rows[N].column</c> (N = line of the row).</exception>
    public static async ValueTask<RetentionSchedule> ReadCsvAsync(Stream csv, string id, string title, IEnumerable<RetentionCategory>? inheritedCategories = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var buffer = new MemoryStream();
        await CopyLimitedAsync(csv, buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        string text;
        using (var reader = new StreamReader(buffer, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true))
        {
            try
            {
                text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException)
            {
                throw new ArchiveValidationException("csv", "csv.encoding", "The CSV file is not valid UTF-8; save it as 'CSV UTF-8'.");
            }
        }

        var rows = ParseCsv(text, out var parseError);
        if (parseError is not null)
        {
            throw new ArchiveValidationException("csv", "csv.format", parseError);
        }

        if (rows.Count == 0)
        {
            throw new ArchiveValidationException("csv", "csv.empty", "The CSV file is empty: it needs a header row.");
        }

        var errors = new List<ValidationError>();
        var header = rows[0].Cells;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < header.Count; c++)
        {
            var key = Fold(header[c]);
            if (key.Length == 0)
            {
                continue;
            }

            if (!HeaderAliases.TryGetValue(key, out var canonical))
            {
                errors.Add(new($"header[{c + 1}]", "csv.unknown-column", $"Unknown column '{header[c]}'. Known: code (mã), title (tên nhóm hồ sơ), retention (thời hạn lưu trữ), category (nhóm), disposition (xử lý), source (nguồn), notes (ghi chú)."));
            }
            else if (!columns.TryAdd(canonical, c))
            {
                errors.Add(new($"header[{c + 1}]", "csv.duplicate-column", $"Column '{header[c]}' appears twice (as '{canonical}')."));
            }
        }

        foreach (var required in new[] { "code", "title", "retention" })
        {
            if (!columns.ContainsKey(required))
            {
                errors.Add(new("header", "csv.missing-column", $"The header has no '{required}' column."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var categories = new List<RetentionCategory>();
        var items = new List<RetentionScheduleItem>();
        string Cell(CsvRow row, string column) => columns.TryGetValue(column, out var i) && i < row.Cells.Count ? row.Cells[i].Trim() : string.Empty;
        foreach (var row in rows.Skip(1))
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var field = $"rows[{row.Line}]";
            var code = Cell(row, "code");
            var rowTitle = Cell(row, "title");
            var retention = Cell(row, "retention");
            var category = NullIfBlank(Cell(row, "category"));
            if (retention.Length == 0)
            {
                categories.Add(new RetentionCategory(code, rowTitle, category));
                continue;
            }

            if (!RetentionPeriod.TryParse(retention, out var period))
            {
                errors.Add(new(field + ".retention", "retention.format", $"'{retention}' is not a retention period: use 'Vĩnh viễn', a number of years such as '10 năm', or 'Đến khi văn bản hết hiệu lực'."));
                continue;
            }

            var dispositionText = Cell(row, "disposition");
            DispositionAction disposition;
            if (dispositionText.Length == 0)
            {
                disposition = DefaultDisposition(period);
            }
            else if (!TryParseDisposition(dispositionText, out disposition))
            {
                errors.Add(new(field + ".disposition", "disposition.format", $"'{dispositionText}' is not a disposition: use 'nộp lưu' (transfer) or 'tiêu hủy' (review for destruction)."));
                continue;
            }

            items.Add(new RetentionScheduleItem
            {
                Code = code,
                Title = rowTitle,
                CategoryCode = category,
                Retention = period,
                Disposition = disposition,
                Source = NullIfBlank(Cell(row, "source")),
                Notes = NullIfBlank(Cell(row, "notes")),
            });
        }

        var schedule = new RetentionSchedule { Id = id, Title = title, Categories = categories, Items = items };
        if (errors.Count == 0)
        {
            errors.AddRange(Validate(schedule, inheritedCategories));
        }

        return errors.Count == 0 ? schedule : throw new ArchiveValidationException(errors);
    }

    /// <summary>Writes a schedule as CSV (UTF-8 with BOM so spreadsheet programs read the Vietnamese letters; English headers).</summary>
    public static async ValueTask WriteCsvAsync(RetentionSchedule schedule, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync("code,title,category,retention,disposition,source,notes".AsMemory(), cancellationToken).ConfigureAwait(false);
            foreach (var c in schedule.Categories)
            {
                await writer.WriteLineAsync(Line(c.Code, c.Title, c.ParentCode, null, null, null, null).AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            foreach (var i in schedule.Items)
            {
                var disposition = i.Disposition == DispositionAction.TransferToHistoricalArchives ? "transferToHistoricalArchives" : "reviewForDestruction";
                await writer.WriteLineAsync(Line(i.Code, i.Title, i.CategoryCode, i.Retention.ToString(), disposition, i.Source, i.Notes).AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }

        static string Line(params string?[] cells) => string.Join(',', cells.Select(Quote));
        static string Quote(string? cell)
        {
            if (string.IsNullOrEmpty(cell))
            {
                return string.Empty;
            }

            return cell.AsSpan().IndexOfAny(",;\t\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
        }
    }

    /// <summary>
    /// Checks a schedule: codes present, well-formed and unique; titles present; categories known (own, or in
    /// <paramref name="inheritedCategories"/>); permanent items are transferred and fixed-term ones are not.
    /// </summary>
    /// <returns>Every broken rule; empty when valid.</returns>
    public static List<ValidationError> Validate(RetentionSchedule schedule, IEnumerable<RetentionCategory>? inheritedCategories = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var errors = new List<ValidationError>();
        CheckCode(errors, "id", schedule.Id);
        if (string.IsNullOrWhiteSpace(schedule.Title))
        {
            errors.Add(new("title", "required", "The schedule needs a title."));
        }

        var categoryCodes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < schedule.Categories.Count; i++)
        {
            var c = schedule.Categories[i];
            CheckCode(errors, $"categories[{i}].code", c.Code);
            CheckTitle(errors, $"categories[{i}].title", c.Title);
            if (!string.IsNullOrEmpty(c.Code) && !categoryCodes.Add(c.Code))
            {
                errors.Add(new($"categories[{i}].code", "schedule.code-duplicate", $"Category code '{c.Code}' appears twice."));
            }
        }

        var known = new HashSet<string>(categoryCodes, StringComparer.Ordinal);
        foreach (var c in inheritedCategories ?? [])
        {
            known.Add(c.Code);
        }

        for (var i = 0; i < schedule.Categories.Count; i++)
        {
            if (schedule.Categories[i].ParentCode is { } parent && !known.Contains(parent))
            {
                errors.Add(new($"categories[{i}].parentCode", "schedule.category-unknown", $"Parent category '{parent}' is not defined."));
            }
        }

        var itemCodes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < schedule.Items.Count; i++)
        {
            var item = schedule.Items[i];
            var f = $"items[{i}]";
            CheckCode(errors, f + ".code", item.Code);
            CheckTitle(errors, f + ".title", item.Title);
            if (!string.IsNullOrEmpty(item.Code) && !itemCodes.Add(item.Code))
            {
                errors.Add(new(f + ".code", "schedule.code-duplicate", $"Item code '{item.Code}' appears twice."));
            }

            if (item.CategoryCode is { } cat && !known.Contains(cat))
            {
                errors.Add(new(f + ".categoryCode", "schedule.category-unknown", $"Category '{cat}' is not defined."));
            }

            if (item.Retention.IsPermanent && item.Disposition != DispositionAction.TransferToHistoricalArchives)
            {
                errors.Add(new(f + ".disposition", "schedule.permanent-transfer", "Permanent records are transferred to the Historical Archives, never reviewed for destruction."));
            }
            else if (!item.Retention.IsPermanent && item.Disposition == DispositionAction.TransferToHistoricalArchives)
            {
                errors.Add(new(f + ".disposition", "schedule.transfer-permanent-only", "Only permanent records are transferred to the Historical Archives."));
            }

            if (item.Notes is { Length: > 2000 })
            {
                errors.Add(new(f + ".notes", "max-length", "Notes must be at most 2000 characters."));
            }
        }

        return errors;
    }

    /// <summary>The usual disposition of a period: permanent → transfer to the Historical Archives, otherwise review for destruction.</summary>
    public static DispositionAction DefaultDisposition(RetentionPeriod period)
        => period.IsPermanent ? DispositionAction.TransferToHistoricalArchives : DispositionAction.ReviewForDestruction;

    private static bool TryParseDisposition(string text, out DispositionAction action)
    {
        switch (Fold(text))
        {
            case "transfer" or "transfertohistoricalarchives" or "transfer to historical archives" or "nop luu" or "nop luu vao luu tru lich su" or "luu tru lich su":
                action = DispositionAction.TransferToHistoricalArchives;
                return true;
            case "review" or "reviewfordestruction" or "review for destruction" or "destroy" or "tieu huy" or "xem xet tieu huy" or "huy":
                action = DispositionAction.ReviewForDestruction;
                return true;
            default:
                action = default;
                return false;
        }
    }

    private static void CheckCode(List<ValidationError> errors, string field, string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            errors.Add(new(field, "required", $"{field} is required."));
        }
        else if (code.Length > CodeMax)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {CodeMax} characters."));
        }
        else if (code.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is '/' or '\\'))
        {
            errors.Add(new(field, "schedule.code-format", $"'{code}' is not a code: no spaces, control characters, '/' or '\\'."));
        }
    }

    private static void CheckTitle(List<ValidationError> errors, string field, string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            errors.Add(new(field, "required", $"{field} is required."));
        }
        else if (title.Length > TitleMax)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {TitleMax} characters."));
        }
    }

    private static async ValueTask CopyLimitedAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (target.Length + read > MaxBytes)
            {
                throw new ArchiveValidationException("schedule", "schedule.too-large", $"A schedule file must be at most {MaxBytes} bytes.");
            }

            target.Write(buffer, 0, read);
        }
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>Lower case, without diacritics (đ → d), single spaces: for matching headers and keywords.</summary>
    internal static string Fold(string text)
    {
        var d = text.Trim().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(d.Length);
        var space = false;
        foreach (var ch in d)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark || ch == '\uFEFF')
            {
                continue;
            }

            if (char.IsWhiteSpace(ch) || ch is '_')
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(ch switch { 'đ' or 'Đ' => 'd', _ => char.ToLowerInvariant(ch) });
        }

        return sb.ToString();
    }

    private static Dictionary<string, string> BuildAliases()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string canonical, params string[] names)
        {
            map[canonical] = canonical;
            foreach (var n in names)
            {
                map[Fold(n)] = canonical;
            }
        }

        Add("code", "mã", "mã số", "mã mục", "số thứ tự", "stt", "ký hiệu");
        Add("title", "tên", "tiêu đề", "tên nhóm hồ sơ", "tên hồ sơ", "tên nhóm hồ sơ, tài liệu", "nhóm hồ sơ, tài liệu");
        Add("category", "nhóm", "danh mục", "mã nhóm");
        Add("retention", "thời hạn", "thời hạn lưu trữ", "thời hạn bảo quản");
        Add("disposition", "xử lý", "hình thức xử lý");
        Add("source", "nguồn", "căn cứ");
        Add("notes", "ghi chú", "note");
        return map;
    }

    private sealed record CsvRow(int Line, List<string> Cells);

    private static List<CsvRow> ParseCsv(string text, out string? error)
    {
        error = null;
        var rows = new List<CsvRow>();
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var delimiter = DetectDelimiter(text);
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var i = 0;
        var inQuotes = false;
        var quotedCell = false;
        while (i < text.Length)
        {
            var ch = text[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                    i++;
                    continue;
                }

                if (ch == '\n')
                {
                    line++;
                }

                cell.Append(ch);
                i++;
                continue;
            }

            if (ch == '"')
            {
                if (cell.Length > 0 && cell.ToString().Trim().Length > 0)
                {
                    error = $"Line {line}: a quote inside an unquoted cell; quote the whole cell and double inner quotes.";
                    return rows;
                }

                cell.Clear();
                inQuotes = true;
                quotedCell = true;
                i++;
                continue;
            }

            if (ch == delimiter)
            {
                cells.Add(cell.ToString());
                cell.Clear();
                quotedCell = false;
                i++;
                continue;
            }

            if (ch is '\r' or '\n')
            {
                cells.Add(cell.ToString());
                cell.Clear();
                quotedCell = false;
                rows.Add(new CsvRow(rowLine, cells));
                cells = [];
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                i++;
                line++;
                rowLine = line;
                continue;
            }

            if (quotedCell && !char.IsWhiteSpace(ch))
            {
                error = $"Line {line}: text after a closing quote.";
                return rows;
            }

            cell.Append(ch);
            i++;
        }

        if (inQuotes)
        {
            error = $"Line {rowLine}: a quoted cell is not closed.";
            return rows;
        }

        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add(new CsvRow(rowLine, cells));
        }

        return rows;
    }

    private static char DetectDelimiter(string text)
    {
        int comma = 0, semicolon = 0, tab = 0;
        var inQuotes = false;
        foreach (var ch in text)
        {
            if (ch == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes)
            {
                if (ch is '\r' or '\n')
                {
                    break;
                }

                switch (ch)
                {
                    case ',': comma++; break;
                    case ';': semicolon++; break;
                    case '\t': tab++; break;
                }
            }
        }

        return tab > comma && tab > semicolon ? '\t' : semicolon > comma ? ';' : ',';
    }

    private sealed class ScheduleDto
    {
        public string? Id { get; set; }

        public string? Title { get; set; }

        public string? Source { get; set; }

        public string? AgencyId { get; set; }

        public List<CategoryDto?>? Categories { get; set; }

        public List<ItemDto?>? Items { get; set; }
    }

    private sealed class CategoryDto
    {
        public string? Code { get; set; }

        public string? Title { get; set; }

        public string? ParentCode { get; set; }
    }

    private sealed class ItemDto
    {
        public string? Code { get; set; }

        public string? Title { get; set; }

        public string? CategoryCode { get; set; }

        public string? Retention { get; set; }

        public string? Disposition { get; set; }

        public string? Source { get; set; }

        public string? Notes { get; set; }
    }
}
