from govhall.core.choices import ColoredChoices


class Channel(ColoredChoices):
    IN_APP = "in_app", "站内消息"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


Channel.set_colors({Channel.IN_APP: "blue", Channel.SMS: "green", Channel.EMAIL: "purple"})

# Channels delivered by a backend outside the application (issue #4); in-app messages are "sent" when written.
OUTBOUND_CHANNELS = (Channel.SMS, Channel.EMAIL)
