"""TwiML for the 12348 voice menu (greeting, legal-area menu, dialling, voicemail), booked phone consultations,
mediation by phone and SMS replies."""
from __future__ import annotations

from functools import lru_cache

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

# Keypad -> legal area; 9 is "anything else" (any qualified lawyer on duty).
MENU = {
    "1": "labour", "2": "marriage_family", "3": "contracts_debts", "4": "housing_property", "5": "traffic",
    "6": "land_rural", "7": "consumer", "8": "company", "9": None,
}
LANGUAGE_KEYS = {"*": "ko", "#": "mn"}
VOICE = {"zh": "zh-CN", "mn": "zh-CN", "ko": "ko-KR"}
DIAL_TIMEOUT = 20

GREETING = {
    "zh": "您好，这里是12348公共法律服务热线。劳动争议请按1，婚姻家庭请按2，合同债务请按3，房产物业请按4，"
          "交通事故请按5，土地承包请按6，消费维权请按7，企业经营请按8，其他问题请按9。",
    "ko": "안녕하세요, 12348 법률 서비스 핫라인입니다. 노동 문제는 1번, 혼인 가정은 2번, 계약 채무는 3번, "
          "주택 부동산은 4번, 교통사고는 5번, 토지는 6번, 소비자 권익은 7번, 기업 경영은 8번, 기타 문의는 9번을 누르세요.",
    "mn": "蒙古语服务：请按1到9选择咨询类别，我们将为您接通会讲蒙古语的律师。",
}
LANGUAGE_OFFER = "한국어 서비스는 별표를 누르세요。蒙古语服务请按井号键。"
CONNECTING = {"zh": "正在为您接通值班律师，请稍候。", "ko": "당직 변호사에게 연결합니다. 잠시만 기다려 주세요.",
              "mn": "正在为您接通值班律师，请稍候。"}
VOICEMAIL = {"zh": "值班律师暂时无法接听。请在提示音后留言，并留下联系方式，我们将尽快回电。",
             "ko": "지금은 변호사가 전화를 받을 수 없습니다. 신호음 후 메시지를 남겨 주시면 곧 다시 연락드리겠습니다.",
             "mn": "值班律师暂时无法接听。请在提示音后留言，我们将尽快回电。"}
CLOSED = {"zh": "现在是非值班时间。请在提示音后留言，我们将在工作时间回电。紧急情况请拨打110。",
          "ko": "지금은 상담 시간이 아닙니다. 신호음 후 메시지를 남겨 주세요. 긴급 상황은 110번으로 전화하세요.",
          "mn": "现在是非值班时间。请在提示音后留言，我们将在工作时间回电。紧急情况请拨打110。"}
THANKS = {"zh": "感谢您的来电，再见。", "ko": "전화해 주셔서 감사합니다.", "mn": "感谢您的来电，再见。"}
NOT_UNDERSTOOD = "对不起，没有听清您的选择。"
CONSULT_CONNECTING = "您好，这里是12348法律服务，正在为您接通项目联络人，请稍候。"
CONSULT_UNAVAILABLE = "您好，这里是12348法律服务。这次咨询已不在预约中，无需接通。再见。"
CONSULT_DIAL_TIMEOUT = 30
SURVEY_THANKS = "【12348】已收到您的评分，感谢您的反馈！"
MEDIATION_PARTY = "您好，这里是12348人民调解。正在为您接入电话调解，请稍候，调解员将与各方当事人一同通话。"
MEDIATION_MEDIATOR = "正在接通电话调解，各方当事人将陆续接入。您挂断后，本次通话即结束。"
MEDIATION_UNAVAILABLE = "您好，这里是12348人民调解。本次电话调解已结束或已取消，无需接通。再见。"


def spoken(language: str) -> str:
    """The language the voice prompts speak to a caller: the contact's own when recorded prompts exist for it, else
    Chinese (an operator may have set a contact's language to one the voice menu does not offer, e.g. English)."""
    return language if language in VOICE else "zh"


def _xml(response: VoiceResponse) -> str:
    return str(response)


@lru_cache(maxsize=32)
def menu(action: str, language: str = "zh", with_language_offer: bool = True, prefix: str = "") -> str:
    """The greeting with the legal-area menu (and the offer of Korean or Mongolian)."""
    response = VoiceResponse()
    if prefix:
        response.say(prefix, language="zh-CN")
    gather = Gather(input="dtmf", num_digits=1, action=action, method="POST", timeout=8, finish_on_key="")
    gather.say(GREETING[language], language=VOICE[language])
    if with_language_offer:
        gather.say(LANGUAGE_OFFER, language="zh-CN")
    response.append(gather)
    response.redirect(action, method="POST")  # no key pressed: the menu handler treats it as "other"
    return _xml(response)


def dial(number: str, caller_id: str | None, action: str, language: str) -> str:
    """Ring one lawyer; Twilio reports the outcome to action."""
    language = spoken(language)
    response = VoiceResponse()
    response.say(CONNECTING[language], language=VOICE[language])
    dial = response.dial(timeout=DIAL_TIMEOUT, action=action, method="POST", caller_id=caller_id)
    dial.number(number)
    return _xml(response)


def record(prompt: dict, action: str, language: str) -> str:
    """Ask for a voicemail and record it."""
    language = spoken(language)
    response = VoiceResponse()
    response.say(prompt[language], language=VOICE[language])
    response.record(action=action, method="POST", max_length=180, play_beep=True, timeout=5)
    response.say(THANKS[language], language=VOICE[language])
    return _xml(response)


def goodbye(language: str = "zh") -> str:
    """Thank the caller and hang up."""
    language = spoken(language)
    response = VoiceResponse()
    response.say(THANKS[language], language=VOICE[language])
    response.hangup()
    return _xml(response)


def hangup() -> str:
    """End the call (the connected consultation is over)."""
    response = VoiceResponse()
    response.hangup()
    return _xml(response)


def conference(room: str) -> str:
    """Join a conference room: operator, caller and lawyer meet without seeing each other's numbers."""
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(room, start_conference_on_enter=True, end_conference_on_exit=False)
    return _xml(response)


def consult_connect(number: str, caller_id: str | None) -> str:
    """The lawyer answered a booked phone consultation: ring the liaison, showing the hotline number."""
    response = VoiceResponse()
    response.say(CONSULT_CONNECTING, language=VOICE["zh"])
    dial = response.dial(timeout=CONSULT_DIAL_TIMEOUT, caller_id=caller_id)
    dial.number(number)
    return _xml(response)


def mediation_conference(room: str, mediator: bool) -> str:
    """One leg of a mediation by phone: everyone meets in the session's conference, called from the hotline number,
    so no party sees another's number; parties wait (with music) until the mediator is in, and the conference ends
    when the mediator hangs up."""
    response = VoiceResponse()
    response.say(MEDIATION_MEDIATOR if mediator else MEDIATION_PARTY, language=VOICE["zh"])
    dial = response.dial()
    dial.conference(room, start_conference_on_enter=mediator, end_conference_on_exit=mediator, beep=False)
    return _xml(response)


def mediation_unavailable() -> str:
    """The session is no longer scheduled: say so and hang up."""
    response = VoiceResponse()
    response.say(MEDIATION_UNAVAILABLE, language=VOICE["zh"])
    response.hangup()
    return _xml(response)


def consult_unavailable() -> str:
    """The consultation is no longer booked: say so and hang up."""
    response = VoiceResponse()
    response.say(CONSULT_UNAVAILABLE, language=VOICE["zh"])
    response.hangup()
    return _xml(response)


def message(text: str) -> str:
    """Answer an SMS with one SMS back (e.g. thanks for a survey score)."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def empty() -> str:
    """Nothing to say (SMS webhooks)."""
    return '<?xml version="1.0" encoding="UTF-8"?><Response />'
