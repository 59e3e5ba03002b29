namespace Archive.Search.Lucene.Analysis;

/// <summary>
/// Character-level Vietnamese text helpers of the analyzers and the query parser: Unicode NFC normalisation, tone-mark
/// placement, and diacritics folding (<c>đ</c> → <c>d</c>, <c>ồ</c> → <c>o</c>). Kept for callers of this package; the
/// rules live in <see cref="VietnameseFolding"/> (Archive.Abstractions), shared with the Elasticsearch engine.
/// </summary>
public static class VietnameseText
{
    /// <summary>Whether <paramref name="text"/> contains a letter with a diacritic (including <c>đ</c>) or a combining mark.</summary>
    public static bool HasDiacritics(ReadOnlySpan<char> text) => VietnameseFolding.HasDiacritics(text);

    /// <summary>Removes diacritics: <c>Đồng</c> → <c>Dong</c>, <c>lưu trữ</c> → <c>luu tru</c>. Case is kept.</summary>
    public static string Fold(string text) => VietnameseFolding.Fold(text);

    /// <summary>Folds <paramref name="source"/> into <paramref name="destination"/> (at least as long); returns the length written.</summary>
    public static int Fold(ReadOnlySpan<char> source, Span<char> destination) => VietnameseFolding.Fold(source, destination);

    /// <summary>The folded form of one character; <c>'\0'</c> for a combining mark that folding drops.</summary>
    public static char Fold(char c) => VietnameseFolding.Fold(c);

    /// <summary>
    /// Normalises a word: NFC, then the tone mark of a final <c>oa</c>, <c>oe</c>, <c>uy</c> is put on the last vowel
    /// (<c>hòa</c> and <c>hoà</c> → <c>hoà</c>, <c>thủy</c> → <c>thuỷ</c>), so that both spelling conventions match exactly.
    /// </summary>
    public static string NormalizeWord(string word) => VietnameseFolding.NormalizeWord(word);

    /// <summary>Whether <paramref name="text"/> may not be in NFC (cheap test; false means it certainly is NFC).</summary>
    public static bool NeedsNfc(ReadOnlySpan<char> text) => VietnameseFolding.NeedsNfc(text);

    /// <summary>Moves a tone mark on the first vowel of a final <c>oa</c>/<c>oe</c>/<c>uy</c> to the last vowel; true when changed.</summary>
    internal static bool CanonicalizeTone(char[] buffer, int length) => VietnameseFolding.CanonicalizeTone(buffer.AsSpan(0, length));
}
