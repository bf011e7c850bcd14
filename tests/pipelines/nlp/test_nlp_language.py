import pytest

from pipelines.nlp.language import detect_language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The government said it would not send troops to the region for now.", "en"),
        ("Die Bundesregierung hat noch nicht entschieden, ob sie Soldaten schicken wird.", "de"),
        ("Le gouvernement a dit qu'il ne va pas envoyer de soldats dans la région.", "fr"),
        ("El gobierno dijo que no enviará tropas a la región por ahora.", "es"),
        ("Il governo ha detto che non invierà truppe nella regione per ora.", "it"),
        ("Rząd powiedział, że nie wyśle żołnierzy do regionu i nie jest to możliwe.", "pl"),
        ("Правительство заявило, что не будет отправлять войска в регион.", "ru"),
        ("Уряд заявив, що не відправлятиме війська в регіон.", "uk"),
    ],
)
def test_detects_common_news_languages(text, expected):
    assert detect_language(text) == expected


def test_too_little_text_is_unknown():
    assert detect_language("") is None
    assert detect_language("12 34") is None
