"""Synthetic identities for the demonstration/training store and benchmarks.

Every person made here is fictional: common given names and common family
names of a region combined at random. The lists hold frequent names only,
no public figures' full names, and no real individual is described.

Each name is given in Latin script as it would appear on a passport or a
Moroccan identity card, and in Arabic script: for Moroccans and Syrians the
usual Arabic spelling; for other names the transcription a Moroccan police
officer or NGO worker would plausibly write (French-style reading, غ for g,
تش for ch/tch, ب for p, ف for v), e.g. "Blessing Okafor" → "بليسينغ أوكافور".
Such transcriptions vary in real life; these are one plausible form each.

The country mix is weighted to resemble who is identified as a presumed
victim of trafficking in Morocco (many Moroccans; among foreigners mostly
Nigerians, Ivorians, Cameroonians, Guineans, Congolese, Senegalese,
Malians; some Syrians, Filipinas, Bangladeshis, Ghanaians, Sierra Leoneans,
Eritreans). The weights are rough, for realistic demo data, not statistics.

Languages are ISO 639-1 codes where one exists, else ISO 639-3 (``ary``
Moroccan Arabic, ``tzm``/``shi``/``rif`` Amazigh languages, ``pcm`` Nigerian
Pidgin, ``bin`` Edo, ``dyu`` Dioula, ``bci`` Baoulé, ``sus`` Soussou, ``emk``
Maninka, ``kri`` Krio, ``tem`` Temne, ``men`` Mende, ``wes`` Cameroonian
Pidgin, ``lua`` Luba-Kasai, ``ceb`` Cebuano, ``tig`` Tigre). Nationalities
are ISO 3166-1 alpha-2.

Usage::

    rng = random.Random(42)
    person = generate_person(rng)                      # any country
    person = generate_person(rng, sex="F", nationality="NG")

Standard library only; no Qt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["COUNTRIES", "Country", "DemoPerson", "NamePool", "POOLS", "generate_people", "generate_person"]


@dataclass(frozen=True)
class DemoPerson:
    """A synthetic person. Arabic fields are None when no Arabic form was
    recorded (as happens for some foreigners)."""

    given_names: str                # Latin script, one or two names: "Fatima Zahra"
    family_name: str                # Latin script
    given_names_ar: str | None      # Arabic script
    family_name_ar: str | None
    sex: str                        # "F" or "M"
    nationality: str                # ISO 3166-1 alpha-2
    languages: tuple[str, ...]      # ISO 639-1, else 639-3; first is the main one
    arabic_script_origin: bool      # names from a country writing them in Arabic script
    pool: str                       # key of the name pool (region/people) the names come from

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def full_name_ar(self) -> str | None:
        if self.given_names_ar is None or self.family_name_ar is None:
            return None
        return f"{self.given_names_ar} {self.family_name_ar}"


@dataclass(frozen=True)
class NamePool:
    """Names of one region or people: (Latin, Arabic) pairs."""

    key: str
    female: tuple[tuple[str, str], ...]
    male: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]
    # Language slots: (probability, ((code, weight), ...)): with that
    # probability the person speaks one language drawn from the choices.
    languages: tuple[tuple[float, tuple[tuple[str, float], ...]], ...] = ()


@dataclass(frozen=True)
class Country:
    code: str                       # ISO 3166-1 alpha-2
    name: str                       # English name
    weight: float                   # share in the demo mix (relative)
    female_share: float             # probability a generated person is female
    pools: tuple[tuple[str, float], ...]
    languages: tuple[tuple[float, tuple[tuple[str, float], ...]], ...]
    arabic_script: bool             # names are written in Arabic script at home
    arabic_rate: float              # probability an Arabic form is recorded
    compound_rate: float            # probability of a second given name


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in text.replace("\n", ";").split(";"):
        item = item.strip()
        if item:
            latin, arabic = item.split("=")
            out.append((latin.strip(), arabic.strip()))
    return tuple(out)


def _one(code: str, p: float = 1.0) -> tuple[float, tuple[tuple[str, float], ...]]:
    return (p, ((code, 1.0),))


def _any(p: float, **choices: float) -> tuple[float, tuple[tuple[str, float], ...]]:
    return (p, tuple(choices.items()))


# --- Morocco ---------------------------------------------------------------

_MA_F = _pairs("""
Fatima=فاطمة; Khadija=خديجة; Aicha=عائشة; Zineb=زينب; Meryem=مريم; Naima=نعيمة; Malika=مليكة;
Rachida=رشيدة; Saida=سعيدة; Fatiha=فتيحة; Latifa=لطيفة; Hanane=حنان; Nadia=نادية; Samira=سميرة;
Karima=كريمة; Najat=نجاة; Souad=سعاد; Hayat=حياة; Amina=أمينة; Salma=سلمى; Hajar=هاجر; Imane=إيمان;
Asmae=أسماء; Ghizlane=غزلان; Kaoutar=كوثر; Soukaina=سكينة; Chaimae=شيماء; Oumaima=أميمة; Sanae=سناء;
Hasna=حسناء; Wafae=وفاء; Houda=هدى; Loubna=لبنى; Btissam=ابتسام; Yasmine=ياسمين; Siham=سهام;
Nawal=نوال; Rabia=ربيعة; Mina=مينة; Zahra=زهرة; Fatima Zahra=فاطمة الزهراء; Khaoula=خولة;
Ikram=إكرام; Hind=هند; Jamila=جميلة; Nezha=نزهة; Hafsa=حفصة; Fadoua=فدوى; Mouna=منى; Ilham=إلهام
""")
_MA_M = _pairs("""
Mohamed=محمد; Ahmed=أحمد; Youssef=يوسف; Abdellah=عبد الله; Hassan=حسن; Said=سعيد; Rachid=رشيد;
Mustapha=مصطفى; Khalid=خالد; Abdelaziz=عبد العزيز; Abdelkader=عبد القادر; Omar=عمر; Ali=علي;
Brahim=إبراهيم; Driss=إدريس; Hamid=حميد; Karim=كريم; Hicham=هشام; Mehdi=المهدي; Anas=أنس;
Amine=أمين; Ayoub=أيوب; Hamza=حمزة; Ismail=إسماعيل; Yassine=ياسين; Othmane=عثمان; Zakaria=زكرياء;
Adil=عادل; Nabil=نبيل; Jamal=جمال; Aziz=عزيز; Mohamed Amine=محمد أمين; Abderrahim=عبد الرحيم;
Abdelilah=عبد الإله; Noureddine=نور الدين; Lahcen=لحسن; Mbarek=مبارك; Larbi=العربي;
Redouane=رضوان; Soufiane=سفيان; Tarik=طارق; Younes=يونس; Bilal=بلال; Badr=بدر; Ilyas=إلياس;
Reda=رضى; Mouad=معاذ; Abdessamad=عبد الصمد; Salaheddine=صلاح الدين; Hassan=حسن
""")
_MA_FAMILY = _pairs("""
Alaoui=العلوي; Idrissi=الإدريسي; Benali=بنعلي; Bennani=بناني; Tazi=التازي; Fassi=الفاسي;
Berrada=برادة; Benjelloun=بنجلون; Chraibi=الشرايبي; El Amrani=العمراني; Ouazzani=الوزاني;
Lahlou=لحلو; Naciri=الناصري; Ziani=الزياني; Bouzid=بوزيد; Belhaj=بلحاج; Tahiri=الطاهري;
Zerouali=الزروالي; El Mansouri=المنصوري; Benmoussa=بنموسى; Boukhari=البخاري; Chakir=شاكر;
El Fadili=الفاضلي; Haddad=الحداد; Jabri=الجابري; Kettani=الكتاني; Mernissi=المرنيسي;
Moussaoui=الموساوي; Naji=ناجي; Rami=رامي; Saidi=السعيدي; Sebti=السبتي; Slaoui=السلاوي;
Tounsi=التونسي; Yacoubi=اليعقوبي; Bakkali=البقالي; Bouazza=بوعزة; Chafik=شفيق; Daoudi=الداودي;
El Khatib=الخطيب; Ghazi=غازي; Hajji=الحجي; Karimi=الكريمي; Azzouzi=العزوزي; Belkadi=بلقاضي;
Ennaji=الناجي; El Ouardi=الوردي; Sabri=صبري; Hamdaoui=الحمداوي; Rifi=الريفي; Souissi=السويسي;
Talbi=الطالبي; Filali=الفيلالي; Hilali=الهلالي; Lamrani=لمراني; Bouchta=بوشتى
""")
_AMAZIGH_F = _pairs("""
Itto=إيطو; Tilelli=تيليلي; Tafsout=تافسوت; Tanirt=تانيرت; Dihya=ديهيا; Tiziri=تيزيري;
Tinhinane=تينهينان; Titrit=تيتريت; Mimount=ميمونت; Yamna=يامنة; Fadma=فاضمة; Touda=تودة;
Hadda=حادة; Kenza=كنزة; Yezza=يزة; Ijja=إجة; Tamimount=تاميمونت; Tuda=تودا; Zahra=زهرة;
Aicha=عائشة; Fatima=فاطمة; Khadija=خديجة
""")
_AMAZIGH_M = _pairs("""
Amnay=أمناي; Aksel=أكسل; Idir=إيدير; Anir=أنير; Amayas=أماياس; Ziri=زيري; Massinissa=ماسينيسا;
Yuba=يوبا; Moha=موحى; Lahoucine=لحوسين; Hammou=حمو; Haddou=حدو; Yidir=يدير; Aghilas=أغيلاس;
Mbark=مبارك; Bassou=باسو; Massin=ماسين; Anzar=أنزار; Lahcen=لحسن; Brahim=إبراهيم; Mohamed=محمد
""")
_AMAZIGH_FAMILY = _pairs("""
Ait Ali=آيت علي; Ait Said=آيت سعيد; Ait Brahim=آيت إبراهيم; Ait Lahcen=آيت لحسن;
Ait Taleb=آيت الطالب; Ouhammou=أوحمو; Oubella=أوبلا; Ouchen=أوشن; Amahan=أمهان;
Bouhaddou=بوحدو; Oulhaj=أولحاج; Amzil=أمزيل; Akdim=أقديم; Ait Baha=آيت باها; Ait Omar=آيت عمر
""")

# --- Syria -----------------------------------------------------------------

_SY_F = _pairs("""
Rama=راما; Hala=هالة; Lina=لينا; Reem=ريم; Rasha=رشا; Nour=نور; Amal=أمل; Hiba=هبة; Rana=رنا;
Dima=ديما; Ghada=غادة; Lama=لمى; Sawsan=سوسن; Suha=سهى; Yasmin=ياسمين; Batoul=بتول; Bushra=بشرى;
Dalia=داليا; Farah=فرح; Hanan=حنان; Iman=إيمان; Lubna=لبنى; Manal=منال; Muna=منى; Nisreen=نسرين;
Razan=رزان; Ruba=ربى; Samar=سمر; Samira=سميرة; Wafa=وفاء; Zeina=زينة; Aya=آية; Alaa=آلاء;
Asmaa=أسماء; Joud=جود; Lujain=لجين; Marah=مرح; Nada=ندى; Sara=سارة; Tasneem=تسنيم; Raghad=رغد;
Rahaf=رهف; Maysaa=ميساء; Fatima=فاطمة; Khadija=خديجة
""")
_SY_M = _pairs("""
Ahmad=أحمد; Mohammad=محمد; Khaled=خالد; Omar=عمر; Ali=علي; Hussein=حسين; Hassan=حسن;
Mahmoud=محمود; Mustafa=مصطفى; Abdullah=عبد الله; Ibrahim=إبراهيم; Yousef=يوسف; Bassel=باسل;
Fadi=فادي; Firas=فراس; Ghassan=غسان; Hani=هاني; Jamal=جمال; Karam=كرم; Louay=لؤي; Majd=مجد;
Maher=ماهر; Nabil=نبيل; Rami=رامي; Samer=سامر; Tarek=طارق; Wael=وائل; Yazan=يزن; Zaid=زيد;
Ammar=عمار; Anas=أنس; Bilal=بلال; Hamza=حمزة; Hazem=حازم; Iyad=إياد; Mazen=مازن; Nizar=نزار;
Obada=عبادة; Qusai=قصي; Raed=رائد; Saleh=صالح; Tamer=تامر; Abdulrahman=عبد الرحمن; Khalil=خليل;
Muhannad=مهند
""")
_SY_FAMILY = _pairs("""
Al-Ahmad=الأحمد; Al-Hassan=الحسن; Al-Ali=العلي; Al-Khatib=الخطيب; Haddad=حداد; Darwish=درويش;
Khalil=خليل; Hamdan=حمدان; Al-Masri=المصري; Halabi=الحلبي; Shami=الشامي; Sabbagh=الصباغ;
Najjar=النجار; Attar=العطار; Al-Hamwi=الحموي; Qassem=قاسم; Hijazi=حجازي; Ibrahim=إبراهيم;
Al-Hussein=الحسين; Mansour=منصور; Saleh=صالح; Youssef=يوسف; Suleiman=سليمان; Abbas=عباس;
Al-Zoubi=الزعبي; Al-Rifai=الرفاعي; Kurdi=الكردي; Al-Homsi=الحمصي; Othman=عثمان; Al-Sayed=السيد;
Bakri=البكري; Deeb=ديب; Farhat=فرحات; Hamoud=حمود; Jaber=جابر; Kanaan=كنعان; Nasser=ناصر;
Obeid=عبيد; Sharif=الشريف; Tayeb=الطيب; Zein=زين; Al-Khalaf=الخلف; Jumaa=جمعة; Mahmoud=محمود
""")

# --- Nigeria, Ghana, Sierra Leone -------------------------------------------

_EN_F = _pairs("""
Blessing=بليسينغ; Joy=جوي; Precious=بريسيوس; Favour=فافور; Mercy=ميرسي; Gift=غيفت; Esther=إستر;
Faith=فيث; Grace=غريس; Happiness=هابينيس; Peace=بيس; Patience=باتيانس; Glory=غلوري;
Success=سوكسيس; Princess=برينسيس; Loveth=لوفيث; Comfort=كومفورت; Mary=ماري; Elizabeth=إليزابيث;
Victoria=فيكتوريا; Deborah=ديبورا; Rita=ريتا; Stella=ستيلا; Sandra=ساندرا; Jennifer=جينيفر;
Vivian=فيفيان; Gloria=غلوريا; Juliet=جولييت; Queen=كوين; Christiana=كريستيانا
""")
_EN_M = _pairs("""
Emmanuel=إيمانويل; Samuel=صامويل; Daniel=دانيال; David=دافيد; Peter=بيتر; John=جون;
Joseph=جوزيف; Michael=مايكل; Godwin=غودوين; Friday=فرايداي; Sunday=صانداي; Monday=مانداي;
Prince=برينس; Victor=فيكتور; Stanley=ستانلي; Kingsley=كينغسلي; Collins=كولينس;
Godspower=غودسباور; Innocent=إينوسنت; Lucky=لاكي; Paul=بول; Felix=فيليكس; Moses=موسيس;
Henry=هنري; Patrick=باتريك; Solomon=سولومون
""")
_EDO_F = _pairs("""
Osas=أوساس; Itohan=إيتوهان; Efe=إيفي; Eseosa=إيسيوسا; Omosede=أوموسيدي; Oghogho=أوغوغو;
Isoken=إيسوكن; Imade=إيمادي; Ivie=إيفي; Osarugue=أوساروغي; Ewere=إيويري; Eghe=إيغي
""")
_EDO_M = _pairs("""
Osagie=أوساغي; Osaro=أوسارو; Nosa=نوسا; Uyi=أويي; Osasere=أوساسيري; Eghosa=إيغوسا; Ehis=إيهيس;
Omoruyi=أوموروي; Efosa=إيفوسا; Osayande=أوساياندي; Ikponmwosa=إيكبونموسا; Idemudia=إيديموديا
""")
_EDO_FAMILY = _pairs("""
Osagie=أوساغي; Omoregie=أوموريغي; Igbinedion=إيغبينيديون; Osaghae=أوساغاي; Ogbebor=أوغبيبور;
Idahosa=إيداهوسا; Aigbe=أيغبي; Ehigiator=إيهيغياتور; Iyamu=إيامو; Osunde=أوسوندي;
Edokpolo=إيدوكبولو; Eweka=إيويكا; Okundaye=أوكونداي; Obasogie=أوباسوغي; Uwaifo=أووايفو;
Osayande=أوساياندي; Omorogbe=أوموروغبي; Ehiorobo=إيهيوروبو
""")
_IGBO_F = _pairs("""
Chioma=تشيوما; Ngozi=نغوزي; Adaeze=أداييزي; Amaka=أماكا; Ifeoma=إيفيوما; Nneka=نيكا;
Chinwe=تشينوي; Obiageli=أوبياغيلي; Uchenna=أوتشينا; Chiamaka=تشياماكا; Nkechi=نكيتشي; Ebere=إيبيري
""")
_IGBO_M = _pairs("""
Chinedu=تشينيدو; Emeka=إيميكا; Obinna=أوبينا; Chukwuemeka=تشوكويميكا; Ikenna=إيكينا;
Uche=أوتشي; Chidi=تشيدي; Nnamdi=نامدي; Ifeanyi=إيفيانيي; Kelechi=كيليتشي; Okechukwu=أوكيتشوكو
""")
_IGBO_FAMILY = _pairs("""
Okafor=أوكافور; Okonkwo=أوكونكوو; Eze=إيزي; Obi=أوبي; Nwosu=نووسو; Okeke=أوكيكي;
Nwachukwu=نواتشوكو; Onyeka=أونييكا; Okoro=أوكورو; Uzoma=أوزوما; Chukwu=تشوكو; Ibe=إيبي;
Onuoha=أونووها; Ugwu=أوغو; Anyanwu=أنيانوو; Nwankwo=نوانكوو
""")
_YORUBA_F = _pairs("""
Funmilayo=فونميلايو; Folake=فولاكي; Bukola=بوكولا; Yetunde=ييتوندي; Adenike=أدينيكي;
Omolara=أومولارا; Titilayo=تيتيلايو; Abosede=أبوسيدي; Kemi=كيمي; Bisola=بيسولا;
Temitope=تيميتوبي; Damilola=داميلولا
""")
_YORUBA_M = _pairs("""
Olumide=أولوميدي; Adewale=أديوالي; Babatunde=باباتوندي; Oluwaseun=أولواسيون; Segun=سيغون;
Tunde=توندي; Femi=فيمي; Kayode=كايودي; Adebayo=أديبايو; Olamide=أولاميدي; Tobi=توبي
""")
_YORUBA_FAMILY = _pairs("""
Adeyemi=أديمي; Ogunleye=أوغونليي; Adebayo=أديبايو; Balogun=بالوغون; Oladipo=أولاديبو;
Adeleke=أديليكي; Ogundele=أوغونديلي; Afolabi=أفولابي; Olawale=أولاوالي; Akinola=أكينولا;
Oyelaran=أويلاران; Fashola=فاشولا; Bello=بيلو; Ojo=أوجو; Adewumi=أديومي
""")
_GH_F = _pairs("""
Akosua=أكوسوا; Ama=أما; Abena=أبينا; Efua=إيفوا; Adwoa=أدوا; Yaa=يا; Afia=أفيا; Akua=أكوا;
Esi=إيسي; Adjoa=أجوا; Serwaa=سيروا; Nana Ama=نانا أما
""")
_GH_M = _pairs("""
Kwame=كوامي; Kofi=كوفي; Kwaku=كواكو; Kwabena=كوابينا; Kwesi=كويسي; Yaw=ياو; Kojo=كوجو;
Kwadwo=كوادوو; Nana=نانا; Kwasi=كواسي; Yaw Boateng=ياو بواتينغ
""")
_GH_FAMILY = _pairs("""
Mensah=مينساه; Owusu=أووسو; Boateng=بواتينغ; Asante=أسانتي; Osei=أوسي; Appiah=أبياه; Addo=أدو;
Agyei=أغيي; Darko=داركو; Amoah=أمواه; Ofori=أوفوري; Acheampong=أتشيامبونغ; Adjei=أجي;
Ansah=أنساه; Badu=بادو; Frimpong=فريمبونغ; Gyamfi=غيامفي; Kusi=كوسي; Sarpong=ساربونغ;
Quaye=كواي; Tetteh=تيتيه; Yeboah=ييبواه
""")
_SL_F = _pairs("""
Fatmata=فاطماتا; Isatu=إيساتو; Mariama=مارياما; Aminata=أميناتا; Hawa=حوا; Kadiatu=كادياتو;
Adama=آداما; Mabinty=مابينتي; Salamatu=سالاماتو; Zainab=زينب; Christiana=كريستيانا; Musu=موسو;
Jeneba=جينيبا; Kadie=كادي
""")
_SL_M = _pairs("""
Mohamed=محمد; Ibrahim=إبراهيم; Alhaji=الحاجي; Sahr=ساهر; Foday=فوداي; Sorie=سوري; Musa=موسى;
Santigie=سانتيغي; Osman=أوسمان; Alusine=ألوسين; Momodu=مومودو; Tamba=تامبا; Sheku=شيكو;
Abdul=عبدول; Amadu=أمادو; Saidu=سايدو
""")
_SL_FAMILY = _pairs("""
Kamara=كامارا; Sesay=سيساي; Conteh=كونتيه; Bangura=بانغورا; Koroma=كوروما; Turay=توراي;
Kargbo=كارغبو; Jalloh=جالو; Mansaray=مانساراي; Kanu=كانو; Fofanah=فوفانا; Bah=باه; Kallon=كالون;
Sillah=سيلا; Tarawally=تاراوالي; Dumbuya=دومبويا; Kabba=كابا; Sheriff=شريف; Jusu=جوسو;
Lahai=لاهاي; Samura=سامورا; Kamanda=كاماندا
""")

# --- Francophone West Africa -----------------------------------------------

_WA_MUSLIM_F = _pairs("""
Aminata=أميناتا; Fatoumata=فاطوماتا; Mariam=مريم; Awa=آوا; Kadiatou=كادياتو; Aïssatou=عيساتو;
Mariama=مارياما; Oumou=أومو; Hawa=حوا; Rokia=روكيا; Fanta=فانتا; Djénéba=جينيبا;
Salimata=ساليماتا; Bintou=بينتو; Ramatoulaye=راماتولاي; Nafissatou=نفيساتو; Assétou=أسيتو;
Kadidia=كاديديا; Safiatou=صافياتو; Aïcha=عائشة; Maïmouna=ميمونة; Fatou=فاتو
""")
_WA_MUSLIM_M = _pairs("""
Mamadou=مامادو; Ibrahima=إبراهيما; Moussa=موسى; Ousmane=أوسمان; Abdoulaye=عبدولاي;
Amadou=أمادو; Souleymane=سليمان; Boubacar=بوبكر; Mohamed=محمد; Lamine=لامين; Seydou=سيدو;
Bakary=باكاري; Adama=آداما; Issa=عيسى; Oumar=عمر; Alpha=ألفا; Sékou=سيكو; Drissa=دريسا;
Modibo=موديبو; Cheick=شيك; Karamoko=كاراموكو; Lassana=لاسانا; Mahamadou=ماهامادو;
Siaka=سياكا; Yacouba=ياكوبا; Aliou=عليو
""")
_FR_F = _pairs("""
Marie=ماري; Grâce=غراس; Christelle=كريستيل; Estelle=إستيل; Prisca=بريسكا; Nadège=ناديج;
Mireille=ميراي; Sandrine=ساندرين; Josiane=جوزيان; Rose=روز; Jeanne=جان; Chantal=شانتال;
Pauline=بولين; Brigitte=بريجيت; Clarisse=كلاريس; Esther=إستير; Ruth=روث; Florence=فلورانس;
Larissa=لاريسا; Carine=كارين; Nathalie=ناتالي; Christine=كريستين; Danielle=دانيال;
Sylvie=سيلفي; Marie Claire=ماري كلير
""")
_FR_M = _pairs("""
Jean=جان; Pierre=بيير; Joseph=جوزيف; Paul=بول; Emmanuel=إيمانويل; Patrick=باتريك; Serge=سيرج;
Didier=ديديي; Olivier=أوليفيي; Christian=كريستيان; Hervé=هيرفي; Thierry=تييري; Yannick=يانيك;
Franck=فرانك; Arnaud=أرنو; Landry=لاندري; Junior=جونيور; Blaise=بليز; Armel=أرميل;
Cédric=سيدريك; Éric=إيريك; Jean Pierre=جان بيير; Jean Claude=جان كلود
""")
_CI_F = _pairs("""
Adjoua=أجوا; Akissi=أكيسي; Affoué=أفوي; Amenan=أمينان; Ahou=أهو; Aya=آيا; Amoin=أموان;
Akoua=أكوا; Adjo=أجو
""")
_CI_M = _pairs("""
Koffi=كوفي; Kouamé=كوامي; Yao=ياو; Kouadio=كواديو; Konan=كونان; Kouassi=كواسي;
N'Guessan=نغيسان; Kouakou=كواكو; Brou=برو
""")
_CI_FAMILY = _pairs("""
Kouassi=كواسي; Konan=كونان; Koffi=كوفي; Yao=ياو; Kouamé=كوامي; N'Guessan=نغيسان; Touré=توري;
Bamba=بامبا; Ouattara=واتارا; Coulibaly=كوليبالي; Diabaté=دياباتي; Koné=كوني; Traoré=تراوري;
Kouadio=كواديو; Soro=سورو; Yapi=يابي; Aka=آكا; Brou=برو; Doumbia=دومبيا; Fofana=فوفانا;
Sanogo=سانوغو; Diomandé=ديوماندي; Kra=كرا
""")
_GN_F = _pairs("""
Néné=نيني; Djenabou=جينابو; M'Balia=مباليا; Saran=سارن; Binta=بينتا; Fatoumata Binta=فاطوماتا بينتا;
Hadiatou=هادياتو; Kadiatou=كادياتو
""")
_GN_M = _pairs("""
Alseny=ألسيني; Thierno=تييرنو; Alhassane=الحسن; Mamady=مامادي; Lansana=لانسانا; Fodé=فودي;
Naby=نابي; Saliou=ساليو; Amara=أمارا; Sory=سوري; Mamadou Saliou=مامادو ساليو
""")
_GN_FAMILY = _pairs("""
Diallo=ديالو; Barry=باري; Bah=باه; Camara=كامارا; Sylla=سيلا; Soumah=سوما; Condé=كوندي;
Keïta=كيتا; Touré=توري; Sow=سو; Baldé=بالدي; Cissé=سيسي; Kourouma=كوروما; Doumbouya=دومبويا;
Bangoura=بانغورا; Sangaré=سانغاري; Diakité=دياكيتي; Kaba=كابا
""")
_SN_F = _pairs("""
Ndèye=ندياي; Khady=خادي; Coumba=كومبا; Sokhna=سوخنا; Astou=أستو; Dieynaba=ديينابا; Mame=مام;
Yacine=ياسين; Adja=أجا; Marème=ماريم; Seynabou=سينابو; Ndèye Fatou=ندياي فاتو
""")
_SN_M = _pairs("""
Modou=مودو; Cheikh=الشيخ; Babacar=باباكار; Serigne=سيرين; Pape=باب; Ousseynou=أوسينو;
Malick=مالك; Assane=أسان; Birame=بيرام; Pape Modou=باب مودو
""")
_SN_FAMILY = _pairs("""
Diop=ديوب; Ndiaye=ندياي; Fall=فال; Sow=سو; Faye=فاي; Gueye=غاي; Sarr=سار; Ba=با; Mbaye=مباي;
Diouf=ديوف; Seck=سيك; Sy=سي; Thiam=تيام; Niang=نيانغ; Cissé=سيسي; Dieng=دينغ; Kane=كان;
Samb=سامب; Diagne=دياني
""")
_ML_F = _pairs("""
Aïssata=عيساتا; Nana=نانا; Tenin=تينين; Sali=سالي; Korotoumou=كوروتومو; Sitan=سيتان; Djénéba=جينيبا
""")
_ML_M = _pairs("""
Sidiki=سيديكي; Bréhima=بريهيما; Daouda=داودا; Fousseyni=فوسيني; Mahamane=ماهامان
""")
_ML_FAMILY = _pairs("""
Traoré=تراوري; Keïta=كيتا; Coulibaly=كوليبالي; Diarra=ديارا; Konaté=كوناتي; Sangaré=سانغاري;
Dembélé=دمبيلي; Sissoko=سيسوكو; Touré=توري; Maïga=مايغا; Diakité=دياكيتي; Cissé=سيسي;
Kanté=كانتي; Doumbia=دومبيا; Samaké=ساماكي; Dicko=ديكو; Koné=كوني; Bagayoko=باغايوكو
""")

# --- Central Africa --------------------------------------------------------

_CM_F = _pairs("""
Nadine=نادين; Murielle=موريال; Ornella=أورنيلا; Laure=لور; Sidonie=سيدوني; Rosine=روزين;
Ange=أنج; Linda=ليندا; Flore=فلور; Mariette=ماريات; Blessing=بليسينغ; Gladys=غلاديس
""")
_CM_M = _pairs("""
Stéphane=ستيفان; Boris=بوريس; Ulrich=أولريش; Brice=بريس; Rodrigue=رودريغ; Martial=مارسيال;
Gaël=غاييل; Cyrille=سيريل; Aristide=أريستيد; Wilfried=ويلفريد; Romaric=روماريك; Fabrice=فابريس;
Che=تشي
""")
_CM_FAMILY = _pairs("""
Mbarga=مبارغا; Atangana=أتانغانا; Essomba=إيسومبا; Ngono=نغونو; Fotso=فوتسو; Kamga=كامغا;
Tchoupo=تشوبو; Ndongo=ندونغو; Manga=مانغا; Mballa=مبالا; Onana=أونانا; Nana=نانا;
Tchakounté=تشاكونتي; Fouda=فودا; Njoya=نجويا; Owona=أوونا; Abena=أبينا; Tchamba=تشامبا;
Ngwa=نغوا; Tabi=تابي; Nfor=نفور; Ndi=ندي; Mbah=مباه
""")
_CD_F = _pairs("""
Merveille=ميرفاي; Exaucée=إكسوسي; Divine=ديفين; Gloire=غلوار; Bénédicte=بينيديكت;
Dorcas=دوركاس; Mamie=مامي; Plamedie=بلاميدي; Gracia=غراسيا; Nelly=نيلي; Sarah=سارة
""")
_CD_M = _pairs("""
Fiston=فيستون; Héritier=إيريتيي; Dieumerci=ديوميرسي; Glody=غلودي; Jonathan=جوناتان;
Exaucé=إكسوسي; Trésor=تريزور; Jérémie=جيريمي; Papy=بابي; Christian=كريستيان; Chadrack=شادراك
""")
_CD_FAMILY = _pairs("""
Mukendi=موكيندي; Tshibangu=تشيبانغو; Mbuyi=مبويي; Kabongo=كابونغو; Ilunga=إيلونغا;
Kasongo=كاسونغو; Mutombo=موتومبو; Nsimba=نسيمبا; Kalonji=كالونجي; Mwamba=موامبا;
Ngalula=نغالولا; Kabeya=كابيا; Tshimanga=تشيمانغا; Lukusa=لوكوسا; Mbala=مبالا; Kanku=كانكو;
Matondo=ماتوندو; Nkanza=نكانزا; Makiese=ماكييسي; Lumbala=لومبالا; Kiala=كيالا
""")

# --- Eritrea ---------------------------------------------------------------

_ER_F = _pairs("""
Senait=سنايت; Helen=هيلين; Selam=سلام; Yohana=يوهانا; Ruth=روث; Rahel=راحيل; Saba=سابا;
Tsega=تسيغا; Mebrat=مبرات; Semhar=سمهر; Winta=وينتا; Hiwet=حيوت; Feven=فيفين; Luwam=لوام;
Eden=إيدن; Freweyni=فريويني; Azeb=أزيب; Abrehet=أبرهيت; Tirhas=تيرهاس; Meron=ميرون;
Mihret=مهرت; Nardos=ناردوس; Yordanos=يوردانوس; Hanna=حنا; Almaz=ألماز
""")
_ER_M = _pairs("""
Yonas=يوناس; Dawit=داويت; Samuel=صامويل; Yohannes=يوهانس; Tesfay=تسفاي; Habtom=هبتوم;
Mussie=موسي; Filmon=فيلمون; Amanuel=أمانويل; Henok=هينوك; Kidane=كيداني; Mehari=مهري;
Berhane=برهاني; Semere=سميري; Tekle=تكلي; Efrem=إفريم; Robel=روبيل; Nahom=ناحوم;
Biniam=بنيام; Goitom=غويتوم; Yemane=يماني; Michael=مايكل; Daniel=دانيال; Tesfalem=تسفالم;
Aron=آرون
""")
_ER_FAMILY = _pairs("""
Tesfay=تسفاي; Gebremedhin=غبريمدين; Gebreyesus=غبرييسوس; Haile=هايلي; Tekle=تكلي;
Kidane=كيداني; Berhane=برهاني; Tesfamariam=تسفامريام; Woldemariam=ولدمريام;
Ghebremichael=غبريميكائيل; Kahsay=كاهساي; Tewelde=تولدي; Zerai=زراي; Weldu=ولدو;
Asmerom=أسمروم; Fitsum=فيتسوم; Andemariam=أندمريام; Habte=هبتي; Mehari=مهري; Yohannes=يوهانس;
Hagos=حاغوس; Negash=نغاش; Abraha=أبرها; Gebru=غبرو; Tsegay=تسيغاي
""")

# --- Philippines -----------------------------------------------------------

_PH_F = _pairs("""
Maria=ماريا; Ana=آنا; Rosa=روزا; Joy=جوي; Lorna=لورنا; Marites=ماريتيس; Jocelyn=جوسلين;
Rowena=روينا; Maricel=ماريسيل; Analyn=آنالين; Mary Grace=ماري غريس; Cristina=كريستينا;
Jennifer=جينيفر; Rachelle=راشيل; Rosalie=روزالي; Lourdes=لورديس; Evelyn=إيفلين; Marilou=ماريلو;
Grace=غريس; Divina=ديفينا; Teresita=تيريسيتا; Erlinda=إرليندا; Shiela=شيلا; Rhea=ريا;
April=أبريل; Kristine=كريستين; Angelica=أنجيليكا; Jessa=جيسا; Nora=نورا; Mylene=ميلين;
Liza=ليزا; Gemma=جيما; Leonora=ليونورا; Josephine=جوزفين; Carmela=كارميلا; Estrella=إستريلا;
Luzviminda=لوزفيميندا; Cherry=شيري; Mae=ماي; Maria Luisa=ماريا لويزا; Marivic=ماريفيك
""")
_PH_M = _pairs("""
Jose=جوزي; Juan=خوان; Jun=جون; Mark=مارك; Rodel=روديل; Ramon=رامون; Eduardo=إدواردو;
Antonio=أنطونيو; Ricardo=ريكاردو; Fernando=فرناندو; Roberto=روبرتو; Danilo=دانيلو; Arnel=أرنيل;
Reynaldo=رينالدو; Romeo=روميو; Noel=نويل; Mark Anthony=مارك أنتوني; Jayson=جايسون; Jomar=جومار;
Ariel=أرييل; Rommel=روميل; Dennis=دينيس; Ronald=رونالد; Edwin=إدوين; Alvin=ألفين; Ryan=رايان;
Carlo=كارلو; Paolo=باولو; Rey=ري; Joel=جويل; Efren=إفرين; Renato=ريناتو; Manuel=مانويل;
Ernesto=إرنستو; Gilbert=جيلبرت; Marlon=مارلون; Jerome=جيروم; Randy=راندي; Benjie=بنجي;
Christian=كريستيان
""")
_PH_FAMILY = _pairs("""
Santos=سانتوس; Reyes=رييس; Cruz=كروز; Bautista=باوتيستا; Ocampo=أوكامبو; Garcia=غارسيا;
Mendoza=ميندوزا; Torres=توريس; Dela Cruz=ديلا كروز; Ramos=راموس; Villanueva=فيلانويفا;
Aquino=أكينو; Castillo=كاستيلو; Flores=فلوريس; Gonzales=غونزاليس; Rivera=ريفيرا;
Fernandez=فرنانديز; Lopez=لوبيز; Manalo=مانالو; Pascual=باسكوال; Navarro=نافارو;
Soriano=سوريانو; Salazar=سالازار; Mercado=ميركادو; Tolentino=تولنتينو; Domingo=دومينغو;
De Leon=دي ليون; Gutierrez=غوتيريز; Del Rosario=ديل روساريو; Aguilar=أغيلار; Dizon=ديزون;
Mangubat=مانغوبات; Macaraeg=ماكارايغ; Panganiban=بانغانيبان; Dimaculangan=ديماكولانغان;
Lacson=لاكسون; Samonte=سامونتي; Sison=سيسون; Valdez=فالديز; Tan=تان; Lim=ليم
""")

# --- Bangladesh ------------------------------------------------------------

_BD_F = _pairs("""
Fatema=فاطمة; Nasrin=نسرين; Shirin=شيرين; Rashida=رشيدة; Salma=سلمى; Taslima=تسليمة;
Rokeya=رقية; Sultana=سلطانة; Shahnaz=شهناز; Nazma=نازمة; Rina=رينا; Shapla=شابلا;
Moushumi=موشومي; Nasima=نسيمة; Hasina=حسينة; Jesmin=جيسمين; Parvin=بارفين; Rehana=ريحانة;
Monowara=منورة; Ayesha=عائشة; Khadiza=خديجة; Morjina=مرجينا; Laily=ليلي; Shilpi=شيلبي;
Dipa=ديبا; Mitu=ميتو; Sumi=سومي; Ruma=روما; Sharmin=شرمين; Tania=تانيا; Rupa=روبا;
Asma=أسماء; Kulsum=كلسوم; Sabina=سابينا; Mahmuda=محمودة; Anwara=أنوارة; Sufia=صوفيا;
Halima=حليمة; Jahanara=جهانارة; Rahima=رحيمة
""")
_BD_M = _pairs("""
Mohammad=محمد; Abdul=عبدول; Rahim=رحيم; Karim=كريم; Jahangir=جهانغير; Alamgir=عالمغير;
Shahidul=شهيدول; Rafiqul=رفيقول; Aminul=أمينول; Saiful=سيفول; Mizanur=ميزانور;
Habibur=حبيبور; Mahbub=محبوب; Kamal=كمال; Jamal=جمال; Anwar=أنور; Shafiq=شفيق; Faruk=فاروق;
Rubel=روبيل; Sohel=سهيل; Sumon=سومون; Liton=ليتون; Shamim=شميم; Ripon=ريبون; Masud=مسعود;
Monir=منير; Nazrul=نزرول; Delwar=دلوار; Selim=سليم; Kashem=كاشم; Harun=هارون; Zahid=زاهد;
Babul=بابول; Hossain=حسين; Tariqul=طاريقول; Mostafa=مصطفى; Ashraf=أشرف; Sajjad=سجاد;
Biplob=بيبلوب; Jewel=جويل
""")
_BD_FAMILY = _pairs("""
Rahman=رحمان; Hossain=حسين; Islam=إسلام; Ahmed=أحمد; Akter=أكتر; Begum=بيغوم; Khatun=خاتون;
Uddin=أودين; Miah=مياه; Chowdhury=تشودري; Sarker=سركار; Das=داس; Roy=روي; Mondal=موندال;
Sheikh=شيخ; Khan=خان; Talukder=تالوكدار; Bhuiyan=بهويان; Mia=ميا; Sikder=سيكدر;
Howlader=هاولادر; Molla=ملا; Biswas=بيسواس; Paul=بول; Saha=ساها; Ali=علي; Haque=حق;
Karim=كريم; Alam=عالم; Kabir=كبير; Siddique=صديقي; Hasan=حسن; Munshi=منشي;
Majumder=مجومدار; Patwary=باتواري; Sarkar=سركار; Bepari=بيباري; Mridha=مريدها;
Parvez=بارفيز; Pramanik=برامانيك; Akand=أكند; Sultan=سلطان
""")


def _pool(key, female, male, family, languages=()) -> NamePool:
    # Keep order, drop repeats (a name may be listed in two shared lists;
    # the first transcription wins).
    def dedupe(items):
        seen: dict[str, tuple[str, str]] = {}
        for latin, arabic in items:
            seen.setdefault(latin, (latin, arabic))
        return tuple(seen.values())

    return NamePool(key, dedupe(female), dedupe(male), dedupe(family), tuple(languages))


_FR_WA_F = _WA_MUSLIM_F + _FR_F
_FR_WA_M = _WA_MUSLIM_M + _FR_M

POOLS: dict[str, NamePool] = {p.key: p for p in (
    _pool("ma_arab", _MA_F, _MA_M, _MA_FAMILY, [_any(0.15, tzm=0.5, shi=0.4, rif=0.1)]),
    _pool("ma_amazigh", _AMAZIGH_F, _AMAZIGH_M, _AMAZIGH_FAMILY + _MA_FAMILY,
          [_any(1.0, tzm=0.45, shi=0.4, rif=0.15)]),
    _pool("sy", _SY_F, _SY_M, _SY_FAMILY),
    _pool("ng_edo", _EN_F + _EDO_F, _EN_M + _EDO_M, _EDO_FAMILY, [_one("bin")]),
    _pool("ng_igbo", _EN_F + _IGBO_F, _EN_M + _IGBO_M, _IGBO_FAMILY, [_one("ig")]),
    _pool("ng_yoruba", _EN_F + _YORUBA_F, _EN_M + _YORUBA_M, _YORUBA_FAMILY, [_one("yo")]),
    _pool("gh", _EN_F + _GH_F, _EN_M + _GH_M, _GH_FAMILY),
    _pool("sl", _SL_F + _EN_F, _SL_M + _EN_M, _SL_FAMILY, [_any(0.5, tem=0.6, men=0.4)]),
    _pool("ci", _CI_F + _FR_WA_F, _CI_M + _FR_WA_M, _CI_FAMILY, [_one("bci", 0.4)]),
    _pool("gn", _GN_F + _WA_MUSLIM_F, _GN_M + _WA_MUSLIM_M, _GN_FAMILY),
    _pool("sn", _SN_F + _WA_MUSLIM_F, _SN_M + _WA_MUSLIM_M, _SN_FAMILY),
    _pool("ml", _ML_F + _WA_MUSLIM_F, _ML_M + _WA_MUSLIM_M, _ML_FAMILY),
    _pool("cm", _CM_F + _FR_F + _EN_F[:12], _CM_M + _FR_M + _EN_M[:10], _CM_FAMILY),
    _pool("cd", _CD_F + _FR_F, _CD_M + _FR_M, _CD_FAMILY),
    _pool("er", _ER_F, _ER_M, _ER_FAMILY),
    _pool("ph", _PH_F, _PH_M, _PH_FAMILY),
    _pool("bd", _BD_F, _BD_M, _BD_FAMILY),
)}


COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("MA", "Morocco", 40.0, 0.6, (("ma_arab", 0.8), ("ma_amazigh", 0.2)),
            (_one("ary"), _one("fr", 0.35), _one("es", 0.05)), True, 1.0, 0.1),
    Country("NG", "Nigeria", 12.0, 0.85, (("ng_edo", 0.55), ("ng_igbo", 0.25), ("ng_yoruba", 0.2)),
            (_one("en", 0.85), _one("pcm", 0.9)), False, 0.8, 0.05),
    Country("CI", "Côte d'Ivoire", 9.0, 0.75, (("ci", 1.0),),
            (_one("fr", 0.9), _one("dyu", 0.6)), False, 0.8, 0.15),
    Country("CM", "Cameroon", 7.0, 0.7, (("cm", 1.0),),
            (_any(1.0, fr=0.8, en=0.2), _one("wes", 0.2)), False, 0.8, 0.15),
    Country("GN", "Guinea", 7.0, 0.65, (("gn", 1.0),),
            (_one("fr", 0.6), _any(1.0, ff=0.45, sus=0.3, emk=0.25)), False, 0.8, 0.15),
    Country("CD", "Democratic Republic of the Congo", 5.0, 0.7, (("cd", 1.0),),
            (_one("fr", 0.85), _one("ln", 0.85), _one("sw", 0.25), _one("lua", 0.15)), False, 0.75, 0.1),
    Country("SN", "Senegal", 5.0, 0.6, (("sn", 1.0),),
            (_one("wo"), _one("fr", 0.6)), False, 0.8, 0.1),
    Country("ML", "Mali", 4.0, 0.55, (("ml", 1.0),),
            (_one("bm"), _one("fr", 0.5)), False, 0.8, 0.05),
    Country("SY", "Syria", 3.0, 0.55, (("sy", 1.0),),
            (_one("ar"), _one("en", 0.15), _one("ku", 0.08)), True, 1.0, 0.0),
    Country("PH", "Philippines", 3.0, 0.9, (("ph", 1.0),),
            (_one("tl"), _one("en", 0.85), _one("ceb", 0.25)), False, 0.6, 0.25),
    Country("BD", "Bangladesh", 2.0, 0.15, (("bd", 1.0),),
            (_one("bn"), _one("en", 0.2)), False, 0.75, 0.05),
    Country("GH", "Ghana", 1.5, 0.7, (("gh", 1.0),),
            (_one("en"), _one("ak", 0.9)), False, 0.75, 0.05),
    Country("SL", "Sierra Leone", 1.0, 0.65, (("sl", 1.0),),
            (_one("kri"), _one("en", 0.6)), False, 0.75, 0.05),
    Country("ER", "Eritrea", 0.5, 0.5, (("er", 1.0),),
            (_one("ti"), _one("ar", 0.3), _one("en", 0.25), _one("tig", 0.1)), False, 0.75, 0.0),
)}

_COUNTRY_CODES = tuple(COUNTRIES)
_COUNTRY_WEIGHTS = tuple(c.weight for c in COUNTRIES.values())


def _weighted(rng: random.Random, items: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _languages(rng: random.Random, slots) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for probability, choices in slots:
        if probability >= 1.0 or rng.random() < probability:
            out[_weighted(rng, choices)] = None
    if not out:  # everyone speaks something: the country's first language
        out[slots[0][1][0][0]] = None
    return tuple(out)


def generate_person(rng: random.Random, sex: str | None = None, nationality: str | None = None) -> DemoPerson:
    """One synthetic person drawn with ``rng`` (same seed, same people).

    ``sex`` ("F"/"M") and ``nationality`` (a key of ``COUNTRIES``) fix those
    attributes; otherwise they follow the country mix and each country's
    share of women. Names suit adults and children alike (age is the
    caller's business).
    """
    if nationality is None:
        country = COUNTRIES[rng.choices(_COUNTRY_CODES, weights=_COUNTRY_WEIGHTS)[0]]
    else:
        try:
            country = COUNTRIES[nationality.upper()]
        except KeyError:
            raise ValueError(f"no demo names for nationality {nationality!r}") from None
    if sex is None:
        sex = "F" if rng.random() < country.female_share else "M"
    elif sex not in ("F", "M"):
        raise ValueError(f"sex must be 'F' or 'M', not {sex!r}")
    pool = POOLS[_weighted(rng, country.pools)]
    names = pool.female if sex == "F" else pool.male
    given = [rng.choice(names)]
    if " " not in given[0][0] and rng.random() < country.compound_rate:
        second = rng.choice(names)
        if second != given[0] and " " not in second[0]:
            given.append(second)
    family = rng.choice(pool.family)
    with_arabic = country.arabic_script or rng.random() < country.arabic_rate
    return DemoPerson(
        given_names=" ".join(latin for latin, _ in given),
        family_name=family[0],
        given_names_ar=" ".join(arabic for _, arabic in given) if with_arabic else None,
        family_name_ar=family[1] if with_arabic else None,
        sex=sex,
        nationality=country.code,
        languages=_languages(rng, country.languages + pool.languages),
        arabic_script_origin=country.arabic_script,
        pool=pool.key,
    )


def generate_people(rng: random.Random, count: int, **kwargs) -> list[DemoPerson]:
    """``count`` people from ``generate_person(rng, **kwargs)``."""
    return [generate_person(rng, **kwargs) for _ in range(count)]
