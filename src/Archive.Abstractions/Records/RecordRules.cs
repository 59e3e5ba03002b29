using System.Globalization;
using System.Text.RegularExpressions;

namespace Archive.Records;

/// <summary>
/// Validation rules of Decree 30/2020 Appendix VI (lengths, codes) and the number-and-symbol rules of
/// Decree 30/2020 (<c>05/BNV-VP</c>: '/' between number and symbol, '-' between groups, no spaces, numbers below
/// 10 zero-padded). Each method returns every broken rule with the field and a stable rule id.
/// </summary>
public static partial class RecordRules
{
    /// <summary>Longest title (Decree 30: 500).</summary>
    public const int TitleMax = 500;

    /// <summary>Longest file notation (Decree 30: 20).</summary>
    public const int FileNotationMax = 20;

    /// <summary>Longest description (500).</summary>
    public const int DescriptionMax = 500;

    /// <summary>Longest document number (11).</summary>
    public const int CodeNumberMax = 11;

    /// <summary>Longest document symbol (30).</summary>
    public const int CodeNotationMax = 30;

    /// <summary>Longest subject / trích yếu (500).</summary>
    public const int SubjectMax = 500;

    /// <summary>Validates a record file's own elements (not its documents); empty when valid.</summary>
    public static List<ValidationError> ValidateRecordFile(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var errors = new List<ValidationError>();
        Try(errors, () => AgencyIdentifier.Validate(file.OrganId, "organId"));
        if (file.FileCatalog is < 1900 or > 2999)
        {
            errors.Add(new("fileCatalog", "file-catalog.range", "The year the file was formed (FileCatalog) must be a four-digit year."));
        }

        if (string.IsNullOrWhiteSpace(file.FileNotation))
        {
            errors.Add(new("fileNotation", "file-notation.required", "The file notation (số và ký hiệu hồ sơ) is required, e.g. 01.TCCB."));
        }
        else if (file.FileNotation.Length > FileNotationMax)
        {
            errors.Add(new("fileNotation", "file-notation.too-long", $"The file notation must be at most {FileNotationMax} characters."));
        }
        else if (!FileNotationPattern().IsMatch(file.FileNotation))
        {
            errors.Add(new("fileNotation", "file-notation.format", "The file notation is a sequence number then an abbreviation, dot-separated, without spaces, e.g. 01.TCCB."));
        }

        if (errors.Count == 0)
        {
            var expected = RecordFile.ComposeFileCode(file.OrganId, file.FileCatalog, file.FileNotation);
            if (!string.Equals(file.FileCode, expected, StringComparison.Ordinal))
            {
                errors.Add(new("fileCode", "file-code.composition", $"The file code must be OrganId.Year.FileNotation: expected '{expected}'."));
            }
        }

        if (string.IsNullOrWhiteSpace(file.FondsCode))
        {
            errors.Add(new("fondsCode", "fonds.required", "The fonds is required."));
        }

        Text(errors, "title", file.Title, TitleMax, required: true);
        Text(errors, "description", file.Description, DescriptionMax);
        Text(errors, "creator", file.Creator, 30);
        Text(errors, "language", file.Language, 50);
        Text(errors, "inforSign", file.InforSign, 30);
        if (file.StartDate is { } s && file.EndDate is { } e && e < s)
        {
            errors.Add(new("endDate", "dates.order", "The end date must not be before the start date."));
        }

        if (file.Status == RecordFileStatus.Unfinished && string.IsNullOrWhiteSpace(file.UnfinishedNote))
        {
            errors.Add(new("unfinishedNote", "unfinished.note-required", "An unfinished file must carry a note saying what remains to be done."));
        }

        for (var i = 0; i < file.Keywords.Count; i++)
        {
            Text(errors, $"keywords[{i}]", file.Keywords[i], 100, required: true);
        }

        if (file.SheetNumber is < 0)
        {
            errors.Add(new("sheetNumber", "number.negative", "The sheet count must not be negative."));
        }

        if (file.NonArchival is { } mark && string.IsNullOrWhiteSpace(mark.Reason))
        {
            errors.Add(new("nonArchival.reason", "weeding.reason-required", "Weeding material out requires a reason."));
        }

        return errors;
    }

    /// <summary>Validates a document; <paramref name="prefix"/> is prepended to field names (e.g. <c>documents[2].</c>).</summary>
    public static List<ValidationError> ValidateDocument(Document document, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(document);
        var errors = new List<ValidationError>();
        if (document.DocOrdinal is < 1 or > 999)
        {
            errors.Add(new(prefix + "docOrdinal", "doc-ordinal.range", "The document ordinal must be between 1 and 999."));
        }

        errors.AddRange(ValidateNumberAndSymbol(document.CodeNumber, document.CodeNotation, prefix));
        Text(errors, prefix + "typeName", document.TypeName, 100);
        Text(errors, prefix + "organName", document.OrganName, 200);
        Text(errors, prefix + "subject", document.Subject, SubjectMax);
        Text(errors, prefix + "description", document.Description, DescriptionMax);
        Text(errors, prefix + "signerInfo.position", document.SignerInfo?.Position, 100);
        Text(errors, prefix + "signerInfo.fullName", document.SignerInfo?.FullName, 50);
        if (document.PageAmount is < 0 or > 999)
        {
            errors.Add(new(prefix + "pageAmount", "page-amount.range", "The page count must be between 0 and 999."));
        }

        if (document.NonArchival is { } mark && string.IsNullOrWhiteSpace(mark.Reason))
        {
            errors.Add(new(prefix + "nonArchival.reason", "weeding.reason-required", "Weeding material out requires a reason."));
        }

        return errors;
    }

    /// <summary>
    /// Number and symbol rules: the number is digits, zero-padded below 10 (<c>05</c>, not <c>5</c>); the symbol is
    /// upper-case groups joined by '-', optionally preceded by a year and '/' for legal documents
    /// (<c>2020/NĐ-CP</c>); no spaces.
    /// </summary>
    public static List<ValidationError> ValidateNumberAndSymbol(string? codeNumber, string? codeNotation, string prefix = "")
    {
        var errors = new List<ValidationError>();
        if (codeNumber is not null)
        {
            if (codeNumber.Length > CodeNumberMax || !NumberPattern().IsMatch(codeNumber))
            {
                errors.Add(new(prefix + "codeNumber", "code-number.format", $"The document number must be 1 to {CodeNumberMax} digits."));
            }
            else if (codeNumber.Length == 1)
            {
                errors.Add(new(prefix + "codeNumber", "code-number.zero-pad", $"Numbers below 10 are written with a leading zero: '0{codeNumber}'."));
            }
        }

        if (codeNotation is not null)
        {
            if (codeNotation.Length > CodeNotationMax)
            {
                errors.Add(new(prefix + "codeNotation", "code-notation.too-long", $"The document symbol must be at most {CodeNotationMax} characters."));
            }
            else if (!SymbolPattern().IsMatch(codeNotation))
            {
                errors.Add(new(prefix + "codeNotation", "code-notation.format", "The document symbol is upper-case groups joined by '-' without spaces, e.g. BNV-VP or 2020/NĐ-CP."));
            }
        }

        return errors;
    }

    /// <summary>
    /// Parses a written number and symbol such as <c>05/BNV-VP</c> or <c>30/2020/NĐ-CP</c> into its number and symbol.
    /// </summary>
    public static bool TryParseNumberAndSymbol(string? text, out string codeNumber, out string codeNotation)
    {
        codeNumber = codeNotation = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            return false;
        }

        codeNumber = text[..slash];
        codeNotation = text[(slash + 1)..];
        return ValidateNumberAndSymbol(codeNumber, codeNotation).Count == 0;
    }

    /// <summary>Identity used for the duplicate warning: number + symbol + issuing body + year, case-insensitive.</summary>
    public static string? DuplicateKey(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.CodeNumber is null || document.CodeNotation is null || string.IsNullOrWhiteSpace(document.OrganName))
        {
            return null;
        }

        var year = document.IssuedDate?.Year.ToString(CultureInfo.InvariantCulture) ?? "?";
        return string.Join('|', document.CodeNumber.TrimStart('0'), document.CodeNotation.ToUpperInvariant(), document.OrganName.Trim().ToUpperInvariant(), year);
    }

    private static void Text(List<ValidationError> errors, string field, string? value, int max, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required."));
            }

            return;
        }

        if (value.Length > max)
        {
            errors.Add(new(field, "max-length", $"{field} must be at most {max} characters (Decree 30/2020 Appendix VI)."));
        }
    }

    private static void Try(List<ValidationError> errors, Action action)
    {
        try
        {
            action();
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }
    }

    [GeneratedRegex(@"^[0-9]+([.\-][0-9A-Za-zĐđ]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNotationPattern();

    [GeneratedRegex(@"^[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^([0-9]{4}/)?[\p{Lu}0-9]+(-[\p{Lu}0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SymbolPattern();
}
