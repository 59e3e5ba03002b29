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

    /// <summary>Most keywords on a record file (100).</summary>
    public const int KeywordsMax = 100;

    /// <summary>
    /// The abbreviations of document types and copies (chữ viết tắt tên loại văn bản và bản sao) of Decree
    /// 30/2020/NĐ-CP, Appendix III, by abbreviation, plus the spellings of its predecessor, Circular 01/2011/TT-BNV
    /// (Appendix I), that documents issued before 2020 carry (<c>TTh</c>, <c>GN</c>, <c>UQ</c>, <c>NP</c>, <c>TS</c>).
    /// Those with lower-case letters (<c>QyĐ</c>, <c>CTr</c>, <c>TTr</c>, <c>TrS</c>, <c>TTh</c>) are accepted in a
    /// document symbol exactly as spelled here. A công văn has no type abbreviation (its symbol is the issuer's).
    /// </summary>
    /// <remarks>
    /// Source: Decree 30/2020/NĐ-CP of 5 March 2020 on văn thư, Appendix III "Bảng chữ viết tắt tên loại văn bản và
    /// bản sao" (as published, cross-checked with a secondary summary that lists the changes from Circular 01/2011:
    /// Bản ghi nhớ GN → BGN, Bản thỏa thuận TTh → BTT, Giấy ủy quyền UQ → GUQ, Giấy nghỉ phép NP → GNP, Bản trích sao
    /// TS → TrS). Local abbreviations come from <c>Archive:Records:LocalTypeAbbreviations</c>.
    /// </remarks>
    public static IReadOnlyDictionary<string, string> OfficialTypeAbbreviations { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["NQ"] = "Nghị quyết (cá biệt)",
        ["QĐ"] = "Quyết định (cá biệt)",
        ["CT"] = "Chỉ thị",
        ["QC"] = "Quy chế",
        ["QyĐ"] = "Quy định",
        ["TC"] = "Thông cáo",
        ["TB"] = "Thông báo",
        ["HD"] = "Hướng dẫn",
        ["CTr"] = "Chương trình",
        ["KH"] = "Kế hoạch",
        ["PA"] = "Phương án",
        ["ĐA"] = "Đề án",
        ["DA"] = "Dự án",
        ["BC"] = "Báo cáo",
        ["BB"] = "Biên bản",
        ["TTr"] = "Tờ trình",
        ["HĐ"] = "Hợp đồng",
        ["CĐ"] = "Công điện",
        ["BGN"] = "Bản ghi nhớ",
        ["BTT"] = "Bản thỏa thuận",
        ["GUQ"] = "Giấy ủy quyền",
        ["GM"] = "Giấy mời",
        ["GGT"] = "Giấy giới thiệu",
        ["GNP"] = "Giấy nghỉ phép",
        ["PG"] = "Phiếu gửi",
        ["PC"] = "Phiếu chuyển",
        ["PB"] = "Phiếu báo",
        ["SY"] = "Bản sao y",
        ["TrS"] = "Bản trích sao",
        ["SL"] = "Bản sao lục",
        ["GN"] = "Bản ghi nhớ (Thông tư 01/2011/TT-BNV)",
        ["TTh"] = "Bản thỏa thuận (Thông tư 01/2011/TT-BNV)",
        ["UQ"] = "Giấy ủy quyền (Thông tư 01/2011/TT-BNV)",
        ["NP"] = "Giấy nghỉ phép (Thông tư 01/2011/TT-BNV)",
        ["TS"] = "Bản trích sao (Thông tư 01/2011/TT-BNV)",
    }.AsReadOnly();

    /// <summary>
    /// Whether <paramref name="abbreviation"/> may be configured as a local document-type abbreviation: 1 to 10
    /// letters (Vietnamese letters included) and digits, starting with an upper-case letter, nothing else.
    /// </summary>
    public static bool IsValidLocalAbbreviation(string? abbreviation)
        => abbreviation is { Length: >= 1 and <= 10 } && LocalAbbreviationPattern().IsMatch(abbreviation);

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
        Text(errors, "description", file.Description, DescriptionMax, multiline: true);
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

        if (file.Keywords.Count > KeywordsMax)
        {
            errors.Add(new("keywords", "keywords.too-many", $"A record file has at most {KeywordsMax} keywords (got {file.Keywords.Count})."));
        }
        else
        {
            for (var i = 0; i < file.Keywords.Count; i++)
            {
                Text(errors, $"keywords[{i}]", file.Keywords[i], 100, required: true);
            }
        }

        TextRules.Check(errors, "fileNotation", file.FileNotation);
        TextRules.Check(errors, "fondsCode", file.FondsCode);
        TextRules.Check(errors, "unfinishedNote", file.UnfinishedNote, multiline: true);
        TextRules.Check(errors, "paperFileCode", file.PaperFileCode);

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
    /// <param name="document">The document.</param>
    /// <param name="prefix">Prepended to every field name.</param>
    /// <param name="localAbbreviations">Local document-type abbreviations accepted in the symbol besides <see cref="OfficialTypeAbbreviations"/>.</param>
    public static List<ValidationError> ValidateDocument(Document document, string prefix = "", IReadOnlyCollection<string>? localAbbreviations = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var errors = new List<ValidationError>();
        if (document.DocOrdinal is < 1 or > 999)
        {
            errors.Add(new(prefix + "docOrdinal", "doc-ordinal.range", "The document ordinal must be between 1 and 999."));
        }

        errors.AddRange(ValidateNumberAndSymbol(document.CodeNumber, document.CodeNotation, prefix, localAbbreviations));
        Text(errors, prefix + "typeName", document.TypeName, 100);
        Text(errors, prefix + "organName", document.OrganName, 200);
        Text(errors, prefix + "subject", document.Subject, SubjectMax, multiline: true);
        Text(errors, prefix + "description", document.Description, DescriptionMax, multiline: true);
        Text(errors, prefix + "language", document.Language, 50);
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
    /// groups joined by '-', optionally preceded by a year and '/' for legal documents (<c>2020/NĐ-CP</c>); no spaces.
    /// A group is upper-case letters and digits, or a document-type abbreviation of Decree 30/2020 Appendix III
    /// written with lower-case letters (<c>TTr-UBND</c>, <c>QyĐ-BNV</c>; see <see cref="OfficialTypeAbbreviations"/>),
    /// or one of <paramref name="localAbbreviations"/>, spelled exactly.
    /// </summary>
    /// <param name="codeNumber">The number (số), or null.</param>
    /// <param name="codeNotation">The symbol (ký hiệu), or null.</param>
    /// <param name="prefix">Prepended to the field names.</param>
    /// <param name="localAbbreviations">Local abbreviations accepted besides the official ones.</param>
    public static List<ValidationError> ValidateNumberAndSymbol(string? codeNumber, string? codeNotation, string prefix = "", IReadOnlyCollection<string>? localAbbreviations = null)
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
            if (TextRules.FindInvisible(codeNotation) is { } hidden)
            {
                errors.Add(TextRules.Error(prefix + "codeNotation", hidden.Index, hidden.CodePoint));
            }
            else if (codeNotation.Length > CodeNotationMax)
            {
                errors.Add(new(prefix + "codeNotation", "code-notation.too-long", $"The document symbol must be at most {CodeNotationMax} characters."));
            }
            else if (!IsSymbol(codeNotation, localAbbreviations))
            {
                errors.Add(new(prefix + "codeNotation", "code-notation.format", "The document symbol is upper-case groups joined by '-' without spaces, e.g. BNV-VP, TTr-UBND or 2020/NĐ-CP (lower-case letters only in the document-type abbreviations of Decree 30/2020 Appendix III, such as TTr, CTr, QyĐ, TrS, or in configured local ones)."));
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

    private static bool IsSymbol(string codeNotation, IReadOnlyCollection<string>? localAbbreviations)
    {
        var groups = codeNotation;
        if (YearPrefixPattern().IsMatch(codeNotation))
        {
            groups = codeNotation[5..];
        }

        foreach (var group in groups.Split('-'))
        {
            if (!(SymbolGroupPattern().IsMatch(group)
                || OfficialTypeAbbreviations.ContainsKey(group)
                || (localAbbreviations is not null && localAbbreviations.Contains(group, StringComparer.Ordinal))))
            {
                return false;
            }
        }

        return true;
    }

    private static void Text(List<ValidationError> errors, string field, string? value, int max, bool required = false, bool multiline = false)
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

        TextRules.Check(errors, field, value, multiline);
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

    [GeneratedRegex(@"^[0-9]{4}/", RegexOptions.CultureInvariant)]
    private static partial Regex YearPrefixPattern();

    [GeneratedRegex(@"^[\p{Lu}0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SymbolGroupPattern();

    [GeneratedRegex(@"^\p{Lu}[\p{L}0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalAbbreviationPattern();
}
