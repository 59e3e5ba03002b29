using System.Text;
using Archive.Search;
using Xunit;

namespace Archive.Abstractions.Tests;

/// <summary>
/// The character rules both search engines index and query with (<see cref="VietnameseFolding"/>): every Vietnamese
/// letter folds to its base letter, <c>đ</c> to <c>d</c>; precomposed and decomposed input fold alike; other scripts
/// are left alone; the tone of a final oa/oe/uy has one place.
/// </summary>
public sealed class VietnameseFoldingTests
{
    // The 67 Vietnamese letters with a diacritic (lower case; upper case is checked too) and their base letters.
    private const string Accented = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
    private const string Bases = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";

    [Fact]
    public void Every_Vietnamese_letter_folds_to_its_base_in_both_cases()
    {
        Assert.Equal(Accented.Length, Bases.Length);
        for (var i = 0; i < Accented.Length; i++)
        {
            Assert.Equal(Bases[i], VietnameseFolding.Fold(Accented[i]));
            Assert.Equal(char.ToUpperInvariant(Bases[i]), VietnameseFolding.Fold(char.ToUpperInvariant(Accented[i])));
        }

        Assert.Equal(Bases, VietnameseFolding.Fold(Accented));
        Assert.Equal(Bases.ToUpperInvariant(), VietnameseFolding.Fold(Accented.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("Đồng Văn", "Dong Van")]
    [InlineData("lưu trữ lịch sử", "luu tru lich su")]
    [InlineData("Ủy ban nhân dân xã Tân Lập", "Uy ban nhan dan xa Tan Lap")]
    [InlineData("ĐỊA CHÍNH", "DIA CHINH")]
    [InlineData("plain ascii 2025", "plain ascii 2025")]
    public void Words_fold_and_keep_their_case(string text, string folded)
    {
        Assert.Equal(folded, VietnameseFolding.Fold(text));
        Assert.Equal(folded != text, VietnameseFolding.HasDiacritics(text));
    }

    [Fact]
    public void Decomposed_input_folds_like_precomposed_input()
    {
        var precomposed = "Quyết định phê duyệt quy hoạch đất";
        var decomposed = precomposed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(precomposed, decomposed);
        Assert.Equal(VietnameseFolding.Fold(precomposed), VietnameseFolding.Fold(decomposed));
        Assert.True(VietnameseFolding.HasDiacritics(decomposed));
        Assert.Equal(precomposed, VietnameseFolding.NormalizeWord(decomposed).Normalize(NormalizationForm.FormC));
    }

    [Theory]
    [InlineData("Москва")]
    [InlineData("北京")]
    [InlineData("Ελλάδα")]
    public void Other_scripts_are_left_alone(string text) => Assert.Equal(text, VietnameseFolding.Fold(text));

    [Theory]
    [InlineData("hòa", "hoà")]
    [InlineData("hoà", "hoà")]
    [InlineData("thủy", "thuỷ")]
    [InlineData("khỏe", "khoẻ")]
    [InlineData("quý", "quý")]
    [InlineData("toàn", "toàn")]
    public void The_tone_of_a_final_oa_oe_uy_has_one_place(string word, string canonical)
        => Assert.Equal(canonical, VietnameseFolding.NormalizeWord(word));
}
